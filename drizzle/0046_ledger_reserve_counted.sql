-- Made by npm run db:ledger-sql from lib/ledger/sql (ledger_reserve_counted).
CREATE OR REPLACE FUNCTION public.ledger_reserve_counted(p_rate_key text, p_rate_limit integer, p_rate_window_secs double precision, p_wallet uuid, p_user uuid, p_amount bigint, p_key text, p_cycle text, p_now timestamp with time zone, p_ttl_seconds integer)
 RETURNS TABLE(rate_count integer, rate_reset_ms integer, code text, hold_id uuid, amount text, replayed boolean, available text, cap_left text)
 LANGUAGE plpgsql
 SET enable_seqscan TO 'off'
AS $function$
DECLARE
  v_count integer;
  v_reset integer;
BEGIN
  -- The request counted against its shared rate window (lib/apikeys PgWindowLimiter's statement,
  -- on the database's clock), then held, in one transaction: a refused request holds nothing,
  -- and a call that fails counts nothing.
  INSERT INTO rate_limit_window AS w (key, window_start, count) VALUES (p_rate_key, now(), 1)
  ON CONFLICT (key) DO UPDATE SET
    window_start = CASE WHEN w.window_start <= now() - make_interval(secs => p_rate_window_secs) THEN now() ELSE w.window_start END,
    count = CASE WHEN w.window_start <= now() - make_interval(secs => p_rate_window_secs) THEN 1 ELSE least(w.count + 1, 2147483647) END
  RETURNING w.count, greatest(0, ceil(extract(epoch FROM (w.window_start + make_interval(secs => p_rate_window_secs) - now())) * 1000))::int
  INTO v_count, v_reset;

  IF v_count > p_rate_limit THEN
    RETURN QUERY SELECT v_count, v_reset, 'rate_limited'::text, NULL::uuid, NULL::text, false, NULL::text, NULL::text;
    RETURN;
  END IF;

  RETURN QUERY SELECT v_count, v_reset, r.code, r.hold_id, r.amount, r.replayed, r.available, r.cap_left
    FROM ledger_reserve(p_wallet, p_user, p_amount, p_key, p_cycle, p_now, p_ttl_seconds) r;
END $function$;
