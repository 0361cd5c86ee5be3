CREATE OR REPLACE FUNCTION public.ledger_resolve_many(p_requests jsonb)
 RETURNS TABLE(i integer, outcome text, state text, charged text, amount text, usage_id uuid)
 LANGUAGE plpgsql
 SET enable_seqscan TO 'off'
AS $function$
DECLARE
  v_r jsonb;
  v_i int := 0;
BEGIN
  FOR v_r IN SELECT e FROM jsonb_array_elements(p_requests) AS x(e) LOOP
    RETURN QUERY SELECT v_i, r.* FROM ledger_resolve((v_r->>'holdId')::uuid, (v_r->>'amount')::bigint,
      CASE WHEN jsonb_typeof(v_r->'usage') = 'object' THEN v_r->'usage' END, (v_r->>'actor')::uuid, v_r->>'reason') r;
    v_i := v_i + 1;
  END LOOP;
END $function$
