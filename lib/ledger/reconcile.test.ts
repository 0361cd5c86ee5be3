import { beforeEach, describe, expect, it } from "vitest";
import { createTestDb } from "@/lib/testing/db";
import type { Database } from "@/lib/db/types";
import { sql } from "@/lib/db/sql";
import { ensurePersonalWallet, grant, recordProgress, reconcileLedger, release, reserve, settle, type UsageInput } from "./index";
import { CYCLE, days, key, makeUser, NOW } from "@/lib/testing/ledger";

// Each test corrupts its own copy of a small healthy ledger: an open hold and a settled one.
let db: Database;
/** Set by a test that drops a constraint: its database is not handed to another test. */
let schemaChanged = false;
let ids: { walletId: string; openHold: string; settledHold: string };

beforeEach(async () => {
  const t = await createTestDb();
  db = t.db;
  const userId = await makeUser(db);
  const w = await ensurePersonalWallet(db, { userId });
  await grant(db, { walletId: w.id, kind: "allowance", amount: 1000n, expiresAt: days(20), source: "plan", idempotencyKey: key() });
  const r1 = await reserve(db, { walletId: w.id, userId, amount: 100n, idempotencyKey: key(), cycle: CYCLE, now: NOW, ttlSeconds: 60 });
  const r2 = await reserve(db, { walletId: w.id, userId, amount: 100n, idempotencyKey: key(), cycle: CYCLE, now: NOW, ttlSeconds: 60 });
  if (!r1.ok || !r2.ok) throw new Error("setup");
  await settle(db, { holdId: r2.holdId, amount: 40n });
  ids = { walletId: w.id, openHold: r1.holdId, settledHold: r2.holdId };
  schemaChanged = false;
  return () => (schemaChanged ? t.discard() : t.close());
});

const checksOf = async () => (await reconcileLedger(db)).problems.map((p) => p.check);

describe("reconcileLedger", () => {
  it("passes on a healthy ledger", async () => {
    expect(await reconcileLedger(db)).toEqual({ ok: true, problems: [], notices: [] });
  });

  it("fails when a balance is corrupted", async () => {
    await db.execute(sql`update wallet set available = available + 5 where id = ${ids.walletId}`);
    const r = await reconcileLedger(db);
    expect(r.ok).toBe(false);
    expect(r.problems.map((p) => p.check)).toEqual(expect.arrayContaining(["wallet_entries", "wallet_buckets"]));
    expect(r.problems.find((p) => p.check === "wallet_entries")?.detail).toContain(ids.walletId);
  });

  it("fails when a bucket is corrupted", async () => {
    await db.execute(sql`update bucket set available = available - 1 where wallet_id = ${ids.walletId}`);
    expect(await checksOf()).toEqual(expect.arrayContaining(["wallet_buckets", "bucket_entries"]));
  });

  it("fails when an entry is corrupted or deleted", async () => {
    await db.execute(sql`update entry set amount = amount - 1 where kind = 'grant' and wallet_id = ${ids.walletId}`);
    expect(await checksOf()).toEqual(expect.arrayContaining(["wallet_entries", "bucket_entries"]));
  });

  it("fails when a settle entry goes missing", async () => {
    await db.execute(sql`delete from entry where kind = 'settle' and bucket_id is not null and hold_id = ${ids.settledHold}`);
    expect(await checksOf()).toEqual(expect.arrayContaining(["wallet_entries", "hold_charge_matches_entries"]));
  });

  it("fails when a hold is resolved behind the ledger's back", async () => {
    await db.execute(sql`update hold set state = 'released', resolved_at = now() where id = ${ids.openHold}`);
    expect(await checksOf()).toEqual(expect.arrayContaining(["wallet_held_matches_open_holds", "bucket_held_matches_open_holds"]));
  });

  it("fails when an open hold carries a resolution time, even without the constraint", async () => {
    schemaChanged = true;
    await db.execute(sql`alter table hold drop constraint hold_state_consistent`);
    await db.execute(sql`update hold set resolved_at = now() where id = ${ids.openHold}`);
    expect(await checksOf()).toEqual(["hold_resolved_once"]);
  });

  it("fails when a hold resolves twice", async () => {
    // A release recorded for a hold that settled…
    await db.execute(sql`insert into entry (wallet_id, hold_id, kind, amount, idempotency_key, params_hash)
                         values (${ids.walletId}, ${ids.settledHold}, 'release', 0, 'forged', '')`);
    expect(await checksOf()).toContain("hold_resolved_once");
  });

  it("fails when a settled hold is charged a second time", async () => {
    const [b] = await db
      .execute(sql`select id from bucket where wallet_id = ${ids.walletId} limit 1`)
      .then((r) => (r as unknown as { rows: { id: string }[] }).rows);
    await db.execute(sql`update bucket set available = available - 10 where id = ${b!.id}`);
    await db.execute(sql`update wallet set available = available - 10 where id = ${ids.walletId}`);
    await db.execute(sql`insert into entry (wallet_id, bucket_id, hold_id, kind, amount, idempotency_key, params_hash)
                         values (${ids.walletId}, ${b!.id}, ${ids.settledHold}, 'settle', -10, 'settle-again:' || ${ids.settledHold}, '')`);
    expect(await checksOf()).toEqual(["hold_charge_matches_entries"]);
  });

  it("fails when a hold's amount no longer matches its split", async () => {
    schemaChanged = true;
    await db.execute(sql`alter table hold drop constraint hold_settled_le_amount`);
    await db.execute(sql`update hold set amount = amount + 1 where id = ${ids.openHold}`);
    expect(await checksOf()).toEqual(expect.arrayContaining(["hold_split_sums", "wallet_held_matches_open_holds"]));
  });

  it("reports negative balances even when the constraint was dropped", async () => {
    schemaChanged = true;
    await db.execute(sql`alter table wallet drop constraint wallet_available_nonneg`);
    await db.execute(sql`update wallet set available = -1 where id = ${ids.walletId}`);
    expect(await checksOf()).toContain("nothing_negative");
  });

  describe("holes a live stream used to leave (the state the old sweeper and removal left behind)", () => {
    const draftOf = async (): Promise<UsageInput> => {
      const [h] = await db
        .execute(sql`select user_id from hold where id = ${ids.openHold}`)
        .then((r) => (r as unknown as { rows: { user_id: string }[] }).rows);
      return {
        requestId: key("req"),
        userId: h!.user_id,
        modelId: "demo/echo",
        providerRoute: "demo",
        tokensIn: 10,
        tokensOut: 20,
        weightInMicro: 1_000_000n,
        weightOutMicro: 1_000_000n,
        usageSource: "counted",
        status: "interrupted",
      };
    };

    it("fails when a hold whose stream recorded output was released without a usage row", async () => {
      // The sweeper released a live hold; the stream's own settle then found it resolved and wrote nothing.
      await recordProgress(db, { holdId: ids.openHold, amount: 30n, draft: await draftOf() });
      await release(db, { holdId: ids.openHold });
      expect(await checksOf()).toEqual(expect.arrayContaining(["recorded_output_has_usage", "charged_covers_recorded"]));
    });

    it("fails when a hold charged less than its stream recorded", async () => {
      await recordProgress(db, { holdId: ids.openHold, amount: 30n, draft: await draftOf() });
      await settle(db, { holdId: ids.openHold, amount: 5n, usage: await draftOf() });
      expect(await checksOf()).toEqual(["charged_covers_recorded"]);
    });

    it("passes when the hold was settled for what was recorded, with its usage row", async () => {
      await recordProgress(db, { holdId: ids.openHold, amount: 30n, draft: await draftOf() });
      await settle(db, { holdId: ids.openHold, amount: 30n, usage: await draftOf() });
      expect(await checksOf()).toEqual([]);
    });

    it("lists usage no provider reported, reported zeros and unpaid late charges as notices, without failing", async () => {
      await settle(db, { holdId: ids.openHold, amount: 30n, usage: { ...(await draftOf()), usageSource: "provider", tokensIn: 0, tokensOut: 0 } });
      await db.execute(sql`update hold set shortfall = 7 where id = ${ids.openHold}`);
      const rep = await reconcileLedger(db);
      expect(rep.ok).toBe(true);
      expect(rep.notices.map((n) => n.check)).toEqual(expect.arrayContaining(["usage_reported_zero", "late_charge_shortfall"]));
    });
  });
});
