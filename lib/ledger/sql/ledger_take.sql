CREATE OR REPLACE FUNCTION public.ledger_take(p_wallet uuid, p_amount bigint, p_now timestamp with time zone, p_to_held boolean)
 RETURNS jsonb
 LANGUAGE plpgsql
AS $function$
DECLARE
  v_split jsonb;
  v_taken bigint;
BEGIN
  WITH live AS (
    SELECT id, available,
      sum(available) OVER w - available AS before,
      row_number() OVER w AS ord
    FROM bucket
    WHERE wallet_id = p_wallet AND expired_at IS NULL AND expires_at > p_now AND available > 0
    WINDOW w AS (ORDER BY expires_at, ledger_kind_rank(kind), created_at, id ROWS UNBOUNDED PRECEDING)
  ), take AS (
    SELECT id, ord, LEAST(available, p_amount - before) AS amt FROM live WHERE before < p_amount
  ), upd AS (
    UPDATE bucket b
    SET available = b.available - take.amt,
        held = b.held + CASE WHEN p_to_held THEN take.amt ELSE 0 END
    FROM take
    WHERE b.id = take.id AND b.available >= take.amt
    RETURNING b.id, take.amt, take.ord
  )
  SELECT coalesce(jsonb_agg(jsonb_build_object('bucketId', upd.id, 'amount', upd.amt::text) ORDER BY upd.ord), '[]'::jsonb),
         coalesce(sum(upd.amt), 0)
  INTO v_split, v_taken FROM upd;
  IF v_taken <> p_amount THEN
    RAISE EXCEPTION 'ledger: buckets of wallet % yield % of %', p_wallet, v_taken, p_amount;
  END IF;
  RETURN v_split;
END $function$
