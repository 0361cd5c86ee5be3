CREATE OR REPLACE FUNCTION public.ledger_expire_wallet(p_wallet uuid, p_now timestamp with time zone)
 RETURNS bigint
 LANGUAGE plpgsql
AS $function$
DECLARE
  v_total bigint;
BEGIN
  WITH due AS (
    SELECT id, available FROM bucket
    WHERE wallet_id = p_wallet AND expired_at IS NULL AND expires_at <= p_now
    FOR UPDATE
  ), upd AS (
    UPDATE bucket b SET available = 0, expired_at = p_now
    FROM due WHERE b.id = due.id
    RETURNING b.id, due.available
  ), ent AS (
    INSERT INTO entry (wallet_id, bucket_id, kind, amount, idempotency_key, params_hash, reason)
    SELECT p_wallet, upd.id, 'expire', -upd.available, 'expire:' || upd.id, '', 'bucket expired'
    FROM upd WHERE upd.available > 0
  )
  SELECT coalesce(sum(upd.available), 0) INTO v_total FROM upd;
  IF v_total > 0 THEN
    UPDATE wallet SET available = available - v_total WHERE id = p_wallet AND available >= v_total;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'ledger: wallet % available below its buckets while expiring', p_wallet;
    END IF;
  END IF;
  RETURN v_total;
END $function$
