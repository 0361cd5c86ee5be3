-- Ledger hot paths as single-round-trip functions.
--
-- Locking protocol: every change to a wallet's buckets, holds' balances or member_spend rows
-- first locks the wallet row. Each statement of a VOLATILE plpgsql function takes a fresh
-- snapshot under READ COMMITTED, so once the wallet row is locked the following statements see
-- every committed change to that wallet and none can interleave. The writes themselves stay
-- conditional and the CHECK constraints are the last line of defence.

-- Consumption order when expiries tie: allowance, pack, credit, trial.
CREATE OR REPLACE FUNCTION ledger_kind_rank(k text) RETURNS int LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE k WHEN 'allowance' THEN 0 WHEN 'pack' THEN 1 WHEN 'credit' THEN 2 ELSE 3 END
$$;
--> statement-breakpoint

-- Expires a wallet's buckets past their time: their available tokens leave the wallet with an
-- 'expire' entry; tokens still held stay held and are written off when their hold resolves.
-- The caller holds the wallet lock. Returns the tokens expired.
CREATE OR REPLACE FUNCTION ledger_expire_wallet(p_wallet uuid, p_now timestamptz) RETURNS bigint
LANGUAGE plpgsql AS $$
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
END $$;
--> statement-breakpoint

-- Takes p_amount from the wallet's live buckets in consumption order (expiry first, then kind),
-- into held (reserve) or out of the wallet (negative adjust). The caller holds the wallet lock
-- and has already debited wallet.available. Returns the split [{bucketId, amount}].
CREATE OR REPLACE FUNCTION ledger_take(p_wallet uuid, p_amount bigint, p_now timestamptz, p_to_held boolean) RETURNS jsonb
LANGUAGE plpgsql AS $$
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
END $$;
--> statement-breakpoint

-- Reserve: one call, one transaction. Returns code 'ok' with the hold, or why not.
CREATE OR REPLACE FUNCTION ledger_reserve(
  p_wallet uuid, p_user uuid, p_amount bigint, p_key text, p_cycle text, p_now timestamptz, p_ttl_seconds int
) RETURNS TABLE (code text, hold_id uuid, amount text, replayed boolean, available text, cap_left text)
LANGUAGE plpgsql AS $$
DECLARE
  v_prev hold%ROWTYPE;
  v_kind text;
  v_owner uuid;
  v_available bigint;
  v_role text;
  v_status text;
  v_paused boolean;
  v_cap bigint;
  v_spent bigint;
  v_split jsonb;
  v_id uuid;
BEGIN
  IF p_amount IS NULL OR p_amount <= 0 THEN
    RAISE EXCEPTION 'ledger: reserve amount must be positive' USING ERRCODE = '22023';
  END IF;

  SELECT * INTO v_prev FROM hold h WHERE h.idempotency_key = p_key;
  IF FOUND THEN
    IF v_prev.wallet_id = p_wallet AND v_prev.user_id = p_user AND v_prev.amount = p_amount AND v_prev.cycle = p_cycle THEN
      RETURN QUERY SELECT 'ok'::text, v_prev.id, v_prev.amount::text, true, NULL::text, NULL::text;
    ELSE
      RETURN QUERY SELECT 'idempotency_conflict'::text, v_prev.id, v_prev.amount::text, true, NULL::text, NULL::text;
    END IF;
    RETURN;
  END IF;

  -- The wallet lock: from here on every read is current and nothing interleaves.
  SELECT w.kind, w.owner_user_id, w.available INTO v_kind, v_owner, v_available
  FROM wallet w WHERE w.id = p_wallet FOR NO KEY UPDATE;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'wallet_not_found'::text, NULL::uuid, NULL::text, false, NULL::text, NULL::text;
    RETURN;
  END IF;

  IF EXISTS (SELECT 1 FROM bucket b WHERE b.wallet_id = p_wallet AND b.expired_at IS NULL AND b.expires_at <= p_now) THEN
    v_available := v_available - ledger_expire_wallet(p_wallet, p_now);
  END IF;

  IF v_kind = 'family' THEN
    SELECT m.role, m.status, m.paused, m.cap_tokens INTO v_role, v_status, v_paused, v_cap
    FROM wallet_member m WHERE m.wallet_id = p_wallet AND m.user_id = p_user;
    IF NOT FOUND OR v_status <> 'active' THEN
      RETURN QUERY SELECT 'not_member'::text, NULL::uuid, NULL::text, false, NULL::text, NULL::text;
      RETURN;
    END IF;
    IF v_paused THEN
      RETURN QUERY SELECT 'member_paused'::text, NULL::uuid, NULL::text, false, NULL::text, NULL::text;
      RETURN;
    END IF;
    IF v_cap IS NOT NULL THEN
      SELECT s.used + s.held INTO v_spent FROM member_spend s
      WHERE s.wallet_id = p_wallet AND s.user_id = p_user AND s.cycle = p_cycle;
      v_spent := coalesce(v_spent, 0);
      IF v_spent + p_amount > v_cap THEN
        RETURN QUERY SELECT 'cap_reached'::text, NULL::uuid, NULL::text, false, v_available::text, GREATEST(v_cap - v_spent, 0)::text;
        RETURN;
      END IF;
    END IF;
  ELSIF v_owner <> p_user THEN
    RETURN QUERY SELECT 'not_member'::text, NULL::uuid, NULL::text, false, NULL::text, NULL::text;
    RETURN;
  END IF;

  UPDATE wallet w SET available = w.available - p_amount, held = w.held + p_amount
  WHERE w.id = p_wallet AND w.available >= p_amount;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'insufficient_balance'::text, NULL::uuid, NULL::text, false, GREATEST(v_available, 0)::text, NULL::text;
    RETURN;
  END IF;

  IF v_kind = 'family' THEN
    -- The cap guard is repeated in the write itself.
    INSERT INTO member_spend AS s (wallet_id, user_id, cycle, used, held)
    SELECT p_wallet, p_user, p_cycle, 0, p_amount WHERE v_cap IS NULL OR p_amount <= v_cap
    ON CONFLICT (wallet_id, user_id, cycle) DO UPDATE SET held = s.held + p_amount
    WHERE v_cap IS NULL OR s.used + s.held + p_amount <= v_cap;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'ledger: member cap moved under the wallet lock';
    END IF;
  END IF;

  v_split := ledger_take(p_wallet, p_amount, p_now, true);

  INSERT INTO hold (wallet_id, user_id, amount, split, cycle, idempotency_key, expires_at)
  VALUES (p_wallet, p_user, p_amount, v_split, p_cycle, p_key, p_now + make_interval(secs => p_ttl_seconds))
  RETURNING id INTO v_id;

  INSERT INTO entry (wallet_id, hold_id, kind, amount, idempotency_key, params_hash)
  VALUES (p_wallet, v_id, 'reserve', 0, 'reserve:' || v_id, '');

  RETURN QUERY SELECT 'ok'::text, v_id, p_amount::text, false, NULL::text, NULL::text;
END $$;
--> statement-breakpoint

-- Settle (p_amount not null: charge min(p_amount, hold), return the rest) or release
-- (p_amount null: return everything). A hold resolves exactly once: the first call flips its
-- state; any later call gets outcome 'already' with the winner's result.
CREATE OR REPLACE FUNCTION ledger_resolve(
  p_hold uuid, p_amount bigint, p_usage jsonb, p_actor uuid, p_reason text
) RETURNS TABLE (outcome text, state text, charged text, amount text, usage_id uuid)
LANGUAGE plpgsql AS $$
DECLARE
  v_hold hold%ROWTYPE;
  v_charged bigint;
  v_owner uuid;
  v_bill uuid;
  v_usage uuid;
  v_writeoff bigint;
  v_parts int;
BEGIN
  IF p_amount IS NOT NULL AND p_amount < 0 THEN
    RAISE EXCEPTION 'ledger: settle amount must not be negative' USING ERRCODE = '22023';
  END IF;

  UPDATE hold h
  SET state = CASE WHEN p_amount IS NULL THEN 'released' ELSE 'settled' END,
      settled_amount = CASE WHEN p_amount IS NULL THEN NULL ELSE LEAST(p_amount, h.amount) END,
      resolved_at = now()
  WHERE h.id = p_hold AND h.state = 'open'
  RETURNING h.* INTO v_hold;
  IF NOT FOUND THEN
    SELECT * INTO v_hold FROM hold h WHERE h.id = p_hold;
    IF NOT FOUND THEN
      RETURN QUERY SELECT 'not_found'::text, NULL::text, NULL::text, NULL::text, NULL::uuid;
    ELSE
      RETURN QUERY SELECT 'already'::text, v_hold.state, coalesce(v_hold.settled_amount, 0)::text, v_hold.amount::text,
        (SELECT u.id FROM usage u WHERE u.hold_id = p_hold);
    END IF;
    RETURN;
  END IF;
  v_charged := coalesce(v_hold.settled_amount, 0);

  -- The usage row goes in before the wallet lock is taken, to keep that lock short.
  IF p_usage IS NOT NULL THEN
    SELECT w.owner_user_id INTO v_owner FROM wallet w WHERE w.id = v_hold.wallet_id;
    INSERT INTO bill (user_id, cycle) VALUES (v_owner, v_hold.cycle) ON CONFLICT (user_id, cycle) DO NOTHING;
    SELECT b.id INTO v_bill FROM bill b WHERE b.user_id = v_owner AND b.cycle = v_hold.cycle;
    INSERT INTO usage (request_id, user_id, wallet_id, bill_id, cycle, hold_id, model_id, provider_route,
      conversation_id, api_key_id, tokens_in, tokens_out, weight_in_micro, weight_out_micro, plan_tokens, usage_source, status)
    VALUES (p_usage->>'requestId', (p_usage->>'userId')::uuid, v_hold.wallet_id, v_bill, v_hold.cycle, p_hold,
      p_usage->>'modelId', p_usage->>'providerRoute', (p_usage->>'conversationId')::uuid, (p_usage->>'apiKeyId')::uuid,
      (p_usage->>'tokensIn')::int, (p_usage->>'tokensOut')::int, (p_usage->>'weightInMicro')::bigint,
      (p_usage->>'weightOutMicro')::bigint, v_charged, p_usage->>'usageSource', p_usage->>'status')
    RETURNING id INTO v_usage;
  END IF;

  -- Wallet lock; assumes every returned token goes back to available, corrected below for
  -- buckets that expired meanwhile.
  UPDATE wallet w SET held = w.held - v_hold.amount, available = w.available + (v_hold.amount - v_charged)
  WHERE w.id = v_hold.wallet_id AND w.held >= v_hold.amount;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'ledger: wallet % holds less than hold %', v_hold.wallet_id, p_hold;
  END IF;

  -- Charge the split in consumption order; the rest returns to the buckets it came from.
  WITH parts AS (
    SELECT (e->>'bucketId')::uuid AS bucket_id, (e->>'amount')::bigint AS amt, ord
    FROM jsonb_array_elements(v_hold.split) WITH ORDINALITY AS x(e, ord)
  ), calc AS (
    SELECT bucket_id, amt,
      LEAST(amt, GREATEST(v_charged - (sum(amt) OVER (ORDER BY ord ROWS UNBOUNDED PRECEDING) - amt), 0)) AS chg
    FROM parts
  ), upd AS (
    UPDATE bucket b
    SET held = b.held - calc.amt,
        available = b.available + CASE WHEN b.expired_at IS NULL THEN calc.amt - calc.chg ELSE 0 END
    FROM calc
    WHERE b.id = calc.bucket_id AND b.held >= calc.amt
    RETURNING b.id, calc.chg, CASE WHEN b.expired_at IS NULL THEN 0 ELSE calc.amt - calc.chg END AS writeoff
  ), ent AS (
    INSERT INTO entry (wallet_id, bucket_id, hold_id, kind, amount, idempotency_key, params_hash, actor_user_id, reason)
    SELECT v_hold.wallet_id, upd.id, p_hold, 'settle', -upd.chg, 'settle:' || p_hold, '', p_actor, p_reason FROM upd WHERE upd.chg > 0
    UNION ALL
    SELECT v_hold.wallet_id, upd.id, p_hold, 'expire', -upd.writeoff, 'writeoff:' || p_hold, '', p_actor, 'expired while held'
    FROM upd WHERE upd.writeoff > 0
    UNION ALL
    SELECT v_hold.wallet_id, NULL, p_hold, CASE WHEN p_amount IS NULL THEN 'release' ELSE 'settle' END, 0,
      'resolve:' || p_hold, '', p_actor, p_reason
  )
  SELECT coalesce(sum(upd.writeoff), 0), count(*) INTO v_writeoff, v_parts FROM upd;
  IF v_parts <> jsonb_array_length(v_hold.split) THEN
    RAISE EXCEPTION 'ledger: hold % split does not match its buckets', p_hold;
  END IF;

  IF v_writeoff > 0 THEN
    UPDATE wallet w SET available = w.available - v_writeoff WHERE w.id = v_hold.wallet_id;
  END IF;

  UPDATE member_spend s SET held = s.held - v_hold.amount, used = s.used + v_charged
  WHERE s.wallet_id = v_hold.wallet_id AND s.user_id = v_hold.user_id AND s.cycle = v_hold.cycle;

  RETURN QUERY SELECT 'resolved'::text, v_hold.state, v_charged::text, v_hold.amount::text, v_usage;
END $$;
