CREATE OR REPLACE FUNCTION public.ledger_reserve_many(p_requests jsonb)
 RETURNS TABLE(i integer, code text, hold_id uuid, amount text, replayed boolean, available text, cap_left text)
 LANGUAGE plpgsql
 SET enable_seqscan TO 'off'
AS $function$
DECLARE
  v_r jsonb;
  v_i int := 0;
BEGIN
  FOR v_r IN SELECT e FROM jsonb_array_elements(p_requests) AS x(e) LOOP
    RETURN QUERY SELECT v_i, r.* FROM ledger_reserve((v_r->>'walletId')::uuid, (v_r->>'userId')::uuid, (v_r->>'amount')::bigint,
      v_r->>'key', v_r->>'cycle', (v_r->>'now')::timestamptz, (v_r->>'ttl')::int) r;
    v_i := v_i + 1;
  END LOOP;
END $function$
