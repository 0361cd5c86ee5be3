CREATE OR REPLACE FUNCTION public.ledger_apply_many(p_ops jsonb)
 RETURNS TABLE(i integer, code text, hold_id uuid, amount text, replayed boolean, available text, cap_left text, outcome text, state text, charged text, usage_id uuid, rate_count integer, rate_reset_ms integer)
 LANGUAGE plpgsql
 SET enable_seqscan TO 'off'
AS $function$
DECLARE
  v_r jsonb;
  v_i int := 0;
BEGIN
  FOR v_r IN SELECT e FROM jsonb_array_elements(p_ops) AS x(e) LOOP
    IF v_r->>'op' = 'reserve' AND v_r ? 'rateKey' THEN
      -- Counted against its shared rate window first, as ledger_reserve_counted alone.
      RETURN QUERY SELECT v_i, r.code, r.hold_id, r.amount, r.replayed, r.available, r.cap_left,
                          NULL::text, NULL::text, NULL::text, NULL::uuid, r.rate_count, r.rate_reset_ms
        FROM ledger_reserve_counted(v_r->>'rateKey', (v_r->>'rateLimit')::int, (v_r->>'rateWindowSecs')::float8,
                                    (v_r->>'walletId')::uuid, (v_r->>'userId')::uuid, (v_r->>'amount')::bigint,
                                    v_r->>'key', v_r->>'cycle', (v_r->>'now')::timestamptz, (v_r->>'ttl')::int) r;
    ELSIF v_r->>'op' = 'reserve' THEN
      RETURN QUERY SELECT v_i, r.code, r.hold_id, r.amount, r.replayed, r.available, r.cap_left,
                          NULL::text, NULL::text, NULL::text, NULL::uuid, NULL::int, NULL::int
        FROM ledger_reserve((v_r->>'walletId')::uuid, (v_r->>'userId')::uuid, (v_r->>'amount')::bigint,
                            v_r->>'key', v_r->>'cycle', (v_r->>'now')::timestamptz, (v_r->>'ttl')::int) r;
    ELSIF v_r->>'op' = 'resolve' THEN
      RETURN QUERY SELECT v_i, NULL::text, NULL::uuid, r.amount, NULL::boolean, NULL::text, NULL::text,
                          r.outcome, r.state, r.charged, r.usage_id, NULL::int, NULL::int
        FROM ledger_resolve((v_r->>'holdId')::uuid, (v_r->>'amount')::bigint,
                            CASE WHEN jsonb_typeof(v_r->'usage') = 'object' THEN v_r->'usage' END,
                            (v_r->>'actor')::uuid, v_r->>'reason',
                            (v_r->>'now')::timestamptz, coalesce((v_r->>'stale')::boolean, false)) r;
    ELSE
      RAISE EXCEPTION 'ledger_apply_many: unknown op %', v_r->>'op' USING ERRCODE = '22023';
    END IF;
    v_i := v_i + 1;
  END LOOP;
END $function$
