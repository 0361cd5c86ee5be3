-- One batch for both kinds of request: the reserves and the settles/releases that queued in a
-- process while its previous batch was in flight go out as one call, one transaction and one
-- commit, each still checked on its own, in the order given (the caller sorts by wallet, so
-- batches take wallet locks in one order and cannot deadlock each other). Any error fails the
-- batch and the caller retries its requests one by one. ledger_reserve_many and
-- ledger_resolve_many stay for servers still running the previous version during a deploy.
CREATE OR REPLACE FUNCTION ledger_apply_many(p_ops jsonb)
RETURNS TABLE (i int, code text, hold_id uuid, amount text, replayed boolean, available text, cap_left text,
               outcome text, state text, charged text, usage_id uuid)
LANGUAGE plpgsql AS $$
DECLARE
  v_r jsonb;
  v_i int := 0;
BEGIN
  FOR v_r IN SELECT e FROM jsonb_array_elements(p_ops) AS x(e) LOOP
    IF v_r->>'op' = 'reserve' THEN
      RETURN QUERY SELECT v_i, r.code, r.hold_id, r.amount, r.replayed, r.available, r.cap_left,
                          NULL::text, NULL::text, NULL::text, NULL::uuid
        FROM ledger_reserve((v_r->>'walletId')::uuid, (v_r->>'userId')::uuid, (v_r->>'amount')::bigint,
                            v_r->>'key', v_r->>'cycle', (v_r->>'now')::timestamptz, (v_r->>'ttl')::int) r;
    ELSIF v_r->>'op' = 'resolve' THEN
      RETURN QUERY SELECT v_i, NULL::text, NULL::uuid, r.amount, NULL::boolean, NULL::text, NULL::text,
                          r.outcome, r.state, r.charged, r.usage_id
        FROM ledger_resolve((v_r->>'holdId')::uuid, (v_r->>'amount')::bigint,
                            CASE WHEN jsonb_typeof(v_r->'usage') = 'object' THEN v_r->'usage' END,
                            (v_r->>'actor')::uuid, v_r->>'reason') r;
    ELSE
      RAISE EXCEPTION 'ledger_apply_many: unknown op %', v_r->>'op' USING ERRCODE = '22023';
    END IF;
    v_i := v_i + 1;
  END LOOP;
END $$;
--> statement-breakpoint
-- Every statement in the ledger functions is a lookup or an update by key. PL/pgSQL caches
-- each session's plans, and a plan made while a table was nearly empty (a new database, or a
-- table that only just started to fill) is a sequential scan that it keeps, scanning a growing
-- table on every call until autovacuum's next analyze replaces it. With sequential scans
-- priced out inside these functions, every cached plan takes the index from the start.
-- A later CREATE OR REPLACE of one of these functions must repeat this setting.
ALTER FUNCTION ledger_reserve(uuid, uuid, bigint, text, text, timestamptz, int) SET enable_seqscan = off;
--> statement-breakpoint
ALTER FUNCTION ledger_resolve(uuid, bigint, jsonb, uuid, text) SET enable_seqscan = off;
--> statement-breakpoint
ALTER FUNCTION ledger_apply_many(jsonb) SET enable_seqscan = off;
--> statement-breakpoint
ALTER FUNCTION ledger_reserve_many(jsonb) SET enable_seqscan = off;
--> statement-breakpoint
ALTER FUNCTION ledger_resolve_many(jsonb) SET enable_seqscan = off;
