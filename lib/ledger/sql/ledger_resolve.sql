CREATE OR REPLACE FUNCTION public.ledger_resolve(p_hold uuid, p_amount bigint, p_usage jsonb, p_actor uuid, p_reason text, p_now timestamp with time zone DEFAULT NULL::timestamp with time zone, p_stale boolean DEFAULT false)
 RETURNS TABLE(outcome text, state text, charged text, amount text, usage_id uuid)
 LANGUAGE plpgsql
 SET enable_seqscan TO 'off'
AS $function$
DECLARE
  v_hold hold%ROWTYPE;
  v_wallet uuid;
  v_charged bigint;
  v_owner uuid;
  v_bill uuid;
  v_usage uuid;
  v_u jsonb;
  v_left bigint;
  v_part jsonb;
  v_bucket uuid;
  v_amt bigint;
  v_chg bigint;
  v_expired boolean;
  v_writeoff bigint := 0;
  v_now timestamptz := coalesce(p_now, now());
  v_due bigint;
  v_take bigint;
  v_avail bigint;
  v_base bigint;
  v_split jsonb;
  v_e_bucket uuid[] := '{}';
  v_e_kind text[] := '{}';
  v_e_amount bigint[] := '{}';
  v_e_key text[] := '{}';
BEGIN
  IF p_amount IS NOT NULL AND p_amount < 0 THEN
    RAISE EXCEPTION 'ledger: settle amount must not be negative' USING ERRCODE = '22023';
  END IF;

  -- Lock order everywhere: the wallet first, then its holds and buckets.
  SELECT h.wallet_id INTO v_wallet FROM hold h WHERE h.id = p_hold;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'not_found'::text, NULL::text, NULL::text, NULL::text, NULL::uuid;
    RETURN;
  END IF;
  PERFORM 1 FROM wallet w WHERE w.id = v_wallet FOR NO KEY UPDATE;

  -- A stale resolution settles what the stream recorded; a request's own uses its amount.
  UPDATE hold h
  SET state = CASE WHEN (CASE WHEN p_stale THEN NULLIF(coalesce(h.recorded_amount, 0), 0) ELSE p_amount END) IS NULL THEN 'released' ELSE 'settled' END,
      settled_amount = CASE WHEN p_stale THEN CASE WHEN coalesce(h.recorded_amount, 0) > 0 THEN LEAST(h.recorded_amount, h.amount) END
                            WHEN p_amount IS NULL THEN NULL ELSE LEAST(p_amount, h.amount) END,
      resolved_at = now()
  WHERE h.id = p_hold AND h.state = 'open' AND (NOT p_stale OR h.expires_at <= v_now)
  RETURNING h.* INTO v_hold;
  IF NOT FOUND THEN
    SELECT * INTO v_hold FROM hold h WHERE h.id = p_hold;
    IF NOT FOUND THEN
      RETURN QUERY SELECT 'not_found'::text, NULL::text, NULL::text, NULL::text, NULL::uuid;
      RETURN;
    END IF;
    IF v_hold.state = 'open' THEN
      -- Only a stale resolution can miss an open hold: the stream is still showing progress.
      RETURN QUERY SELECT 'live'::text, 'open'::text, '0'::text, v_hold.amount::text, NULL::uuid;
      RETURN;
    END IF;
    IF p_stale OR p_amount IS NULL OR p_usage IS NULL THEN
      RETURN QUERY SELECT 'already'::text, v_hold.state, (coalesce(v_hold.settled_amount, 0) + v_hold.late_charged)::text, v_hold.amount::text,
        (SELECT u.id FROM usage u WHERE u.hold_id = p_hold);
      RETURN;
    END IF;

    -- A request's own settle after someone else resolved its hold: charge the difference.
    v_base := coalesce(v_hold.settled_amount, 0) + v_hold.late_charged + v_hold.shortfall;
    v_due := LEAST(p_amount, v_hold.amount) - v_base;
    IF v_due > 0 THEN
      SELECT w.available, w.owner_user_id INTO v_avail, v_owner FROM wallet w WHERE w.id = v_hold.wallet_id;
      IF EXISTS (SELECT 1 FROM bucket b WHERE b.wallet_id = v_hold.wallet_id AND b.expired_at IS NULL AND b.expires_at <= v_now) THEN
        v_avail := v_avail - ledger_expire_wallet(v_hold.wallet_id, v_now);
      END IF;
      v_take := LEAST(v_due, GREATEST(v_avail, 0));
      IF v_take > 0 THEN
        UPDATE wallet w SET available = w.available - v_take WHERE w.id = v_hold.wallet_id AND w.available >= v_take;
        IF NOT FOUND THEN
          RAISE EXCEPTION 'ledger: wallet % cannot pay late charge of hold %', v_hold.wallet_id, p_hold;
        END IF;
        v_split := ledger_take(v_hold.wallet_id, v_take, v_now, false);
        INSERT INTO entry (wallet_id, bucket_id, hold_id, kind, amount, idempotency_key, params_hash, reason)
        SELECT v_hold.wallet_id, (p->>'bucketId')::uuid, p_hold, 'settle', -((p->>'amount')::bigint),
               'late:' || p_hold || ':' || v_base, '', 'settled after the hold was resolved'
        FROM jsonb_array_elements(v_split) p;
        UPDATE member_spend s SET used = s.used + v_take
        WHERE s.wallet_id = v_hold.wallet_id AND s.user_id = v_hold.user_id AND s.cycle = v_hold.cycle;
      END IF;
      UPDATE hold h SET late_charged = h.late_charged + v_take, shortfall = h.shortfall + (v_due - v_take)
      WHERE h.id = p_hold
      RETURNING h.* INTO v_hold;
    END IF;
    v_charged := coalesce(v_hold.settled_amount, 0) + v_hold.late_charged;

    SELECT u.id INTO v_usage FROM usage u WHERE u.hold_id = p_hold;
    IF FOUND THEN
      IF v_due > 0 THEN
        UPDATE usage u SET plan_tokens = v_charged,
          tokens_in = (p_usage->>'tokensIn')::int, tokens_out = (p_usage->>'tokensOut')::int,
          usage_source = p_usage->>'usageSource', status = p_usage->>'status'
        WHERE u.id = v_usage;
      END IF;
    ELSE
      SELECT w.owner_user_id INTO v_owner FROM wallet w WHERE w.id = v_hold.wallet_id;
      INSERT INTO bill (user_id, cycle) VALUES (v_owner, v_hold.cycle) ON CONFLICT (user_id, cycle) DO NOTHING;
      SELECT b.id INTO v_bill FROM bill b WHERE b.user_id = v_owner AND b.cycle = v_hold.cycle;
      INSERT INTO usage (request_id, user_id, wallet_id, bill_id, cycle, hold_id, model_id, provider_route,
        conversation_id, api_key_id, tokens_in, tokens_out, weight_in_micro, weight_out_micro, plan_tokens, usage_source, status,
        route_attempts, tokens_cached, tokens_reasoning)
      VALUES (p_usage->>'requestId', (p_usage->>'userId')::uuid, v_hold.wallet_id, v_bill, v_hold.cycle, p_hold,
        p_usage->>'modelId', p_usage->>'providerRoute', (p_usage->>'conversationId')::uuid, (p_usage->>'apiKeyId')::uuid,
        (p_usage->>'tokensIn')::int, (p_usage->>'tokensOut')::int, (p_usage->>'weightInMicro')::bigint,
        (p_usage->>'weightOutMicro')::bigint, v_charged, p_usage->>'usageSource', p_usage->>'status',
        CASE WHEN jsonb_typeof(p_usage->'routeAttempts') = 'array' THEN p_usage->'routeAttempts' END,
        (p_usage->>'tokensCached')::int, (p_usage->>'tokensReasoning')::int)
      RETURNING id INTO v_usage;
    END IF;
    RETURN QUERY SELECT 'late'::text, v_hold.state, v_charged::text, v_hold.amount::text, v_usage;
    RETURN;
  END IF;
  v_charged := coalesce(v_hold.settled_amount, 0);

  -- Assumes every returned token goes back to available, corrected below for
  -- buckets that expired meanwhile.
  UPDATE wallet w SET held = w.held - v_hold.amount, available = w.available + (v_hold.amount - v_charged)
  WHERE w.id = v_hold.wallet_id AND w.held >= v_hold.amount
  RETURNING w.owner_user_id INTO v_owner;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'ledger: wallet % holds less than hold %', v_hold.wallet_id, p_hold;
  END IF;

  -- Charge the split in consumption order; the rest returns to the buckets it came from.
  v_left := v_charged;
  FOR v_part IN SELECT e FROM jsonb_array_elements(v_hold.split) AS x(e) LOOP
    v_bucket := (v_part->>'bucketId')::uuid;
    v_amt := (v_part->>'amount')::bigint;
    v_chg := LEAST(v_amt, v_left);
    v_left := v_left - v_chg;
    UPDATE bucket b
    SET held = b.held - v_amt,
        available = b.available + CASE WHEN b.expired_at IS NULL THEN v_amt - v_chg ELSE 0 END
    WHERE b.id = v_bucket AND b.held >= v_amt
    RETURNING b.expired_at IS NOT NULL INTO v_expired;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'ledger: hold % split does not match bucket %', p_hold, v_bucket;
    END IF;
    IF v_chg > 0 THEN
      v_e_bucket := v_e_bucket || v_bucket; v_e_kind := v_e_kind || 'settle'::text;
      v_e_amount := v_e_amount || (-v_chg); v_e_key := v_e_key || ('settle:' || p_hold);
    END IF;
    IF v_expired AND v_amt > v_chg THEN
      v_writeoff := v_writeoff + (v_amt - v_chg);
      v_e_bucket := v_e_bucket || v_bucket; v_e_kind := v_e_kind || 'expire'::text;
      v_e_amount := v_e_amount || (v_chg - v_amt); v_e_key := v_e_key || ('writeoff:' || p_hold);
    END IF;
  END LOOP;
  -- A resolution by someone (support) or for a reason (the sweeper) is recorded as a
  -- zero-amount entry carrying who and why; a request's own settle or release needs none.
  IF p_actor IS NOT NULL OR p_reason IS NOT NULL THEN
    v_e_bucket := v_e_bucket || NULL::uuid;
    v_e_kind := v_e_kind || CASE WHEN v_hold.state = 'released' THEN 'release' ELSE 'settle' END;
    v_e_amount := v_e_amount || 0::bigint;
    v_e_key := v_e_key || ('resolve:' || p_hold);
  END IF;

  IF cardinality(v_e_key) > 0 THEN
    INSERT INTO entry (wallet_id, bucket_id, hold_id, kind, amount, idempotency_key, params_hash, actor_user_id, reason)
    SELECT v_hold.wallet_id, e.b, p_hold, e.k, e.a, e.key, '', p_actor,
           CASE WHEN e.k = 'expire' THEN 'expired while held' ELSE p_reason END
    FROM unnest(v_e_bucket, v_e_kind, v_e_amount, v_e_key) AS e(b, k, a, key);
  END IF;

  IF v_writeoff > 0 THEN
    UPDATE wallet w SET available = w.available - v_writeoff WHERE w.id = v_hold.wallet_id;
  END IF;

  UPDATE member_spend s SET held = s.held - v_hold.amount, used = s.used + v_charged
  WHERE s.wallet_id = v_hold.wallet_id AND s.user_id = v_hold.user_id AND s.cycle = v_hold.cycle;

  -- A stale resolution writes the usage row the stream had drafted (what it recorded so far).
  v_u := coalesce(p_usage, CASE WHEN p_stale THEN v_hold.usage_draft END);
  IF v_u IS NOT NULL THEN
    SELECT b.id INTO v_bill FROM bill b WHERE b.user_id = v_owner AND b.cycle = v_hold.cycle;
    IF NOT FOUND THEN
      INSERT INTO bill (user_id, cycle) VALUES (v_owner, v_hold.cycle) ON CONFLICT (user_id, cycle) DO NOTHING;
      SELECT b.id INTO v_bill FROM bill b WHERE b.user_id = v_owner AND b.cycle = v_hold.cycle;
    END IF;
    INSERT INTO usage (request_id, user_id, wallet_id, bill_id, cycle, hold_id, model_id, provider_route,
      conversation_id, api_key_id, tokens_in, tokens_out, weight_in_micro, weight_out_micro, plan_tokens, usage_source, status,
      route_attempts, tokens_cached, tokens_reasoning)
    VALUES (v_u->>'requestId', (v_u->>'userId')::uuid, v_hold.wallet_id, v_bill, v_hold.cycle, p_hold,
      v_u->>'modelId', v_u->>'providerRoute', (v_u->>'conversationId')::uuid, (v_u->>'apiKeyId')::uuid,
      (v_u->>'tokensIn')::int, (v_u->>'tokensOut')::int, (v_u->>'weightInMicro')::bigint,
      (v_u->>'weightOutMicro')::bigint, v_charged, v_u->>'usageSource', v_u->>'status',
      CASE WHEN jsonb_typeof(v_u->'routeAttempts') = 'array' THEN v_u->'routeAttempts' END,
      (v_u->>'tokensCached')::int, (v_u->>'tokensReasoning')::int)
    RETURNING id INTO v_usage;
  END IF;

  RETURN QUERY SELECT 'resolved'::text, v_hold.state, v_charged::text, v_hold.amount::text, v_usage;
END $function$
