CREATE OR REPLACE FUNCTION public.ledger_reserve(p_wallet uuid, p_user uuid, p_amount bigint, p_key text, p_cycle text, p_now timestamp with time zone, p_ttl_seconds integer)
 RETURNS TABLE(code text, hold_id uuid, amount text, replayed boolean, available text, cap_left text)
 LANGUAGE plpgsql
 SET enable_seqscan TO 'off'
AS $function$
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
  v_extra bigint;
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
      SELECT s.used + s.held, s.cap_extra INTO v_spent, v_extra FROM member_spend s
      WHERE s.wallet_id = p_wallet AND s.user_id = p_user AND s.cycle = p_cycle;
      v_spent := coalesce(v_spent, 0);
      -- What the payer approved on top of the cap this cycle (问户主).
      v_cap := v_cap + coalesce(v_extra, 0);
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
    WHERE v_cap IS NULL OR s.used + s.held + p_amount <= v_cap - coalesce(v_extra, 0) + s.cap_extra;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'ledger: member cap moved under the wallet lock';
    END IF;
  END IF;

  v_split := ledger_take(p_wallet, p_amount, p_now, true);

  INSERT INTO hold (wallet_id, user_id, amount, split, cycle, idempotency_key, expires_at)
  VALUES (p_wallet, p_user, p_amount, v_split, p_cycle, p_key, p_now + make_interval(secs => p_ttl_seconds))
  RETURNING id INTO v_id;

  RETURN QUERY SELECT 'ok'::text, v_id, p_amount::text, false, NULL::text, NULL::text;
END $function$
