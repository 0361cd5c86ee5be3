import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { eq, sql, type SQL } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
import { createTestDb } from "@/lib/testing/db";
import type { Database } from "@/lib/db/types";
import { bill, bucket, entry, hold, usage } from "@/lib/db/schema";
import {
  addMember,
  adjust,
  createFamilyWallet,
  ensurePersonalWallet,
  expireBuckets,
  getBalance,
  getMemberSpend,
  getWalletsForUser,
  grant,
  HoldLiveError,
  IdempotencyConflictError,
  recordProgress,
  refundUsage,
  release,
  releaseHold,
  removeMember,
  reserve,
  setMemberCap,
  setMemberPaused,
  settle,
  sweepHolds,
  type UsageInput,
} from "./index";
import { CYCLE, days, expectReconciled, key, makeUser, NOW } from "@/lib/testing/ledger";

let db: Database;
let close: () => Promise<void>;
beforeEach(async () => {
  ({ db, close } = await createTestDb());
});
afterEach(async () => {
  await expectReconciled(db);
  await close();
});

async function personal(amount = 1000n, kind: "allowance" | "pack" | "credit" | "trial" = "allowance", expiresAt = days(20)) {
  const userId = await makeUser(db);
  const w = await ensurePersonalWallet(db, { userId });
  if (amount > 0n) await grant(db, { walletId: w.id, kind, amount, expiresAt, source: "test", idempotencyKey: key("g") });
  return { userId, walletId: w.id };
}

const r = (walletId: string, userId: string, amount: bigint, k = key("r"), extra: Partial<{ now: Date; ttlSeconds: number; cycle: string }> = {}) =>
  reserve(db, { walletId, userId, amount, idempotencyKey: k, cycle: CYCLE, now: NOW, ttlSeconds: 600, ...extra });

function usageFor(userId: string, over: Partial<UsageInput> = {}): UsageInput {
  return {
    requestId: key("req"),
    userId,
    modelId: "demo/echo",
    providerRoute: "demo",
    tokensIn: 10,
    tokensOut: 20,
    weightInMicro: 1_000_000n,
    weightOutMicro: 1_000_000n,
    usageSource: "provider",
    status: "ok",
    ...over,
  };
}

describe("wallets", () => {
  it("ensurePersonalWallet is idempotent, also when racing", async () => {
    const userId = await makeUser(db);
    const ws = await Promise.all([1, 2, 3].map(() => ensurePersonalWallet(db, { userId })));
    expect(new Set(ws.map((w) => w.id)).size).toBe(1);
    expect(ws[0].kind).toBe("personal");
  });

  it("createFamilyWallet adds the owner as a member and lists for members", async () => {
    const owner = await makeUser(db);
    const fam = await createFamilyWallet(db, { ownerUserId: owner });
    expect((await createFamilyWallet(db, { ownerUserId: owner })).id).toBe(fam.id);
    const kid = await makeUser(db);
    await addMember(db, { walletId: fam.id, userId: kid, capTokens: 100n });
    const kidWallets = await getWalletsForUser(db, { userId: kid });
    expect(kidWallets.map((w) => [w.id, w.role])).toEqual([[fam.id, "member"]]);
    await ensurePersonalWallet(db, { userId: owner });
    const ownerWallets = await getWalletsForUser(db, { userId: owner });
    expect(ownerWallets.map((w) => w.kind).sort()).toEqual(["family", "personal"]);
  });
});

describe("grant", () => {
  it("adds a bucket and an entry; replay returns the same bucket", async () => {
    const { walletId } = await personal(0n);
    const k = key("g");
    const a = await grant(db, { walletId, kind: "pack", amount: 500n, expiresAt: days(30), source: "pack:1", idempotencyKey: k });
    const b = await grant(db, { walletId, kind: "pack", amount: 500n, expiresAt: days(30), source: "pack:1", idempotencyKey: k });
    expect(b).toEqual({ bucketId: a.bucketId, replayed: true });
    expect((await getBalance(db, { walletId, now: NOW })).available).toBe(500n);
  });

  it("same key with other parameters is a typed error", async () => {
    const { walletId } = await personal(0n);
    const k = key("g");
    await grant(db, { walletId, kind: "pack", amount: 500n, expiresAt: days(30), source: "pack:1", idempotencyKey: k });
    await expect(grant(db, { walletId, kind: "pack", amount: 501n, expiresAt: days(30), source: "pack:1", idempotencyKey: k })).rejects.toBeInstanceOf(
      IdempotencyConflictError,
    );
    expect((await getBalance(db, { walletId, now: NOW })).available).toBe(500n);
  });

  it("refuses non-positive amounts", async () => {
    const { walletId } = await personal(0n);
    await expect(grant(db, { walletId, kind: "pack", amount: 0n, expiresAt: days(1), source: "x", idempotencyKey: key() })).rejects.toMatchObject({
      code: "invalid_amount",
    });
  });
});

describe("reserve", () => {
  it("reserves and settles queued together go out as one batch and apply in the order they came", async () => {
    const [a, b] = [await makeUser(db), await makeUser(db)];
    const wa = await ensurePersonalWallet(db, { userId: a });
    const wb = await ensurePersonalWallet(db, { userId: b });
    for (const w of [wa, wb]) await grant(db, { walletId: w.id, kind: "credit", amount: 100n, expiresAt: days(5), source: "t", idempotencyKey: key() });
    const first = await reserve(db, { walletId: wa.id, userId: a, amount: 100n, idempotencyKey: key(), cycle: CYCLE, now: NOW, ttlSeconds: 60 });
    if (!first.ok) throw new Error("setup");
    // The lane is busy with another wallet's reserve; the settle and the reserves behind it queue
    // and go out together. The settle comes first, so the 60 it returns admits the reserve.
    const calls: string[] = [];
    const execute = db.execute.bind(db);
    const dialect = new PgDialect();
    vi.spyOn(db, "execute").mockImplementation(((q: SQL) => (calls.push(dialect.sqlToQuery(q).sql), execute(q))) as typeof db.execute);
    const busy = reserve(db, { walletId: wb.id, userId: b, amount: 10n, idempotencyKey: key(), cycle: CYCLE, now: NOW, ttlSeconds: 60 });
    const settled = settle(db, { holdId: first.holdId, amount: 40n });
    const again = reserve(db, { walletId: wa.id, userId: a, amount: 60n, idempotencyKey: key(), cycle: CYCLE, now: NOW, ttlSeconds: 60 });
    const refused = reserve(db, { walletId: wa.id, userId: a, amount: 1n, idempotencyKey: key(), cycle: CYCLE, now: NOW, ttlSeconds: 60 });
    expect((await busy).ok).toBe(true);
    expect(await settled).toMatchObject({ charged: 40n, state: "settled", replayed: false });
    expect(await again).toMatchObject({ ok: true, amount: 60n });
    expect(await refused).toMatchObject({ ok: false, code: "insufficient_balance", available: 0n });
    expect(calls.filter((c) => c.includes("ledger_apply_many"))).toHaveLength(1);
    vi.restoreAllMocks();
    expect(await getBalance(db, { walletId: wa.id, now: NOW })).toMatchObject({ available: 0n, held: 60n, total: 60n });
  });

  it("holds tokens: available drops, held rises, total unchanged", async () => {
    const { userId, walletId } = await personal(1000n);
    const res = await r(walletId, userId, 300n);
    expect(res).toMatchObject({ ok: true, amount: 300n, replayed: false });
    const b = await getBalance(db, { walletId, now: NOW });
    expect([b.available, b.held, b.total]).toEqual([700n, 300n, 1000n]);
  });

  it("refuses more than available, with what is available", async () => {
    const { userId, walletId } = await personal(100n);
    expect(await r(walletId, userId, 101n)).toEqual({ ok: false, code: "insufficient_balance", available: 100n });
    expect(await r(walletId, userId, 100n)).toMatchObject({ ok: true });
    expect(await r(walletId, userId, 1n)).toMatchObject({ ok: false, code: "insufficient_balance", available: 0n });
  });

  it("with a rate count: counts and holds in one call; over the limit it counts and holds nothing; a failed call counts nothing", async () => {
    const { userId, walletId } = await personal(1000n);
    const rate = { key: `key:${key("rl")}`, limit: 2, windowMs: 60_000 };
    const counted = (amount: bigint) => reserve(db, { walletId, userId, amount, idempotencyKey: key("r"), cycle: CYCLE, now: NOW, ttlSeconds: 600, rate });
    const windowCount = async () =>
      Number(
        ((await db.execute(sql`select count from rate_limit_window where key = ${rate.key}`)) as unknown as { rows: { count: number }[] }).rows[0]?.count ?? 0,
      );
    const a = await counted(100n);
    expect(a).toMatchObject({ ok: true, amount: 100n, rate: { count: 1 } });
    expect(a.rate!.resetMs).toBeGreaterThan(59_000);
    expect(a.rate!.resetMs).toBeLessThanOrEqual(60_000);
    // The reserve's own checks as they are: refused for the balance, still counted.
    expect(await counted(2000n)).toMatchObject({ ok: false, code: "insufficient_balance", available: 900n, rate: { count: 2 } });
    expect(await counted(100n)).toMatchObject({ ok: false, code: "rate_limited", rate: { count: 3 } });
    expect((await getBalance(db, { walletId, now: NOW })).held).toBe(100n);
    // A call the database aborts (here an amount the reserve refuses) leaves the count as it was.
    await expect(
      db.execute(
        sql`select * from ledger_reserve_counted(${rate.key}, 100, 60::float8, ${walletId}::uuid, ${userId}::uuid, 0::bigint, ${key("r")}, ${CYCLE}, ${NOW.toISOString()}::timestamptz, 600)`,
      ),
    ).rejects.toThrow();
    expect(await windowCount()).toBe(3);
    // The window ends: the count starts over, on the database's clock.
    await db.execute(sql`update rate_limit_window set window_start = now() - interval '61 seconds' where key = ${rate.key}`);
    expect(await counted(100n)).toMatchObject({ ok: true, rate: { count: 1 } });
  });

  it("rate-counted reserves queued behind a busy lane go out in one batch, counted in order; a batch the database aborts counts nothing", async () => {
    const { userId, walletId } = await personal(1000n);
    const other = await personal(100n);
    const rate = { key: `key:${key("rl")}`, limit: 2, windowMs: 60_000 };
    const counted = (amount: bigint, idempotencyKey = key("r")) =>
      reserve(db, { walletId, userId, amount, idempotencyKey, cycle: CYCLE, now: NOW, ttlSeconds: 600, rate });
    const calls: string[] = [];
    const execute = db.execute.bind(db);
    const dialect = new PgDialect();
    vi.spyOn(db, "execute").mockImplementation(((q: SQL) => (calls.push(dialect.sqlToQuery(q).sql), execute(q))) as typeof db.execute);
    const busy = reserve(db, { walletId: other.walletId, userId: other.userId, amount: 10n, idempotencyKey: key(), cycle: CYCLE, now: NOW, ttlSeconds: 60 });
    const queued = [counted(100n), counted(200n), counted(300n)];
    expect((await busy).ok).toBe(true);
    const [a, b, c] = await Promise.all(queued);
    expect(a).toMatchObject({ ok: true, amount: 100n, rate: { count: 1 } });
    expect(b).toMatchObject({ ok: true, amount: 200n, rate: { count: 2 } });
    expect(c).toMatchObject({ ok: false, code: "rate_limited", rate: { count: 3 } });
    expect(a.rate!.resetMs).toBeGreaterThan(59_000);
    expect(calls.filter((q) => q.includes("ledger_apply_many"))).toHaveLength(1);
    expect(calls.filter((q) => q.includes("ledger_reserve_counted"))).toHaveLength(0);
    expect((await getBalance(db, { walletId, now: NOW })).held).toBe(300n);

    // A batch the database aborts (one request names no valid user) is retried one by one: the
    // window counts the good request once, the failed batch and the failed request not at all.
    await db.execute(sql`update rate_limit_window set window_start = now() - interval '61 seconds' where key = ${rate.key}`);
    expect(await counted(50n)).toMatchObject({ ok: true, rate: { count: 1 } });
    calls.length = 0;
    const busy2 = reserve(db, { walletId: other.walletId, userId: other.userId, amount: 10n, idempotencyKey: key(), cycle: CYCLE, now: NOW, ttlSeconds: 60 });
    const broken = reserve(db, { walletId, userId: "not-a-user", amount: 51n, idempotencyKey: key("r"), cycle: CYCLE, now: NOW, ttlSeconds: 600, rate });
    const fine = counted(52n);
    expect((await busy2).ok).toBe(true);
    const [bad, good] = await Promise.allSettled([broken, fine]);
    vi.restoreAllMocks();
    expect(bad.status).toBe("rejected");
    expect(good).toMatchObject({ status: "fulfilled", value: { ok: true, rate: { count: 2 } } });
    expect(calls.filter((q) => q.includes("ledger_apply_many"))).toHaveLength(1);
    const [w] = ((await db.execute(sql`select count from rate_limit_window where key = ${rate.key}`)) as unknown as { rows: { count: number }[] }).rows;
    expect(Number(w!.count)).toBe(2);
  });

  it("replays by key without holding twice; other parameters → typed error", async () => {
    const { userId, walletId } = await personal(1000n);
    const k = key("r");
    const a = await r(walletId, userId, 300n, k);
    const b = await r(walletId, userId, 300n, k);
    expect(b).toEqual({ ok: true, holdId: (a as { holdId: string }).holdId, amount: 300n, replayed: true });
    await expect(r(walletId, userId, 301n, k)).rejects.toBeInstanceOf(IdempotencyConflictError);
    expect((await getBalance(db, { walletId, now: NOW })).held).toBe(300n);
  });

  it("a personal wallet is spent only by its owner", async () => {
    const { walletId } = await personal(1000n);
    const other = await makeUser(db);
    expect(await r(walletId, other, 1n)).toEqual({ ok: false, code: "not_member" });
  });

  it("consumes the bucket that expires first; allowance before pack before credit before trial on ties", async () => {
    const { userId, walletId } = await personal(0n);
    const t = days(10);
    const ids: Record<string, string> = {};
    for (const kind of ["trial", "credit", "pack", "allowance"] as const) {
      ids[kind] = (await grant(db, { walletId, kind, amount: 10n, expiresAt: t, source: kind, idempotencyKey: key() })).bucketId;
    }
    ids.early = (await grant(db, { walletId, kind: "trial", amount: 10n, expiresAt: days(5), source: "early", idempotencyKey: key() })).bucketId;
    const res = await r(walletId, userId, 35n);
    expect(res.ok).toBe(true);
    const [h] = await db
      .select()
      .from(hold)
      .where(eq(hold.id, (res as { holdId: string }).holdId));
    expect(h.split).toEqual([
      { bucketId: ids.early, amount: "10" },
      { bucketId: ids.allowance, amount: "10" },
      { bucketId: ids.pack, amount: "10" },
      { bucketId: ids.credit, amount: "5" },
    ]);
  });

  it("does not spend a bucket past its expiry even before the sweeper ran", async () => {
    const { userId, walletId } = await personal(100n, "allowance", days(1));
    expect(await r(walletId, userId, 10n, key(), { now: days(2) })).toMatchObject({ ok: false, code: "insufficient_balance", available: 0n });
    // the reserve expired it on the way
    const [b] = await db.select().from(bucket).where(eq(bucket.walletId, walletId));
    expect(b.expiredAt).not.toBeNull();
  });
});

describe("settle and release", () => {
  it("settle charges the actual amount and returns the rest to its buckets", async () => {
    const { userId, walletId } = await personal(1000n);
    const res = (await r(walletId, userId, 300n)) as { holdId: string };
    const s = await settle(db, { holdId: res.holdId, amount: 120n });
    expect(s).toMatchObject({ charged: 120n, replayed: false, state: "settled", clamped: false });
    const b = await getBalance(db, { walletId, now: NOW });
    expect([b.available, b.held, b.total]).toEqual([880n, 0n, 880n]);
  });

  it("charges the earliest-expiring part of the split first", async () => {
    const { userId, walletId } = await personal(0n);
    const early = (await grant(db, { walletId, kind: "pack", amount: 50n, expiresAt: days(2), source: "a", idempotencyKey: key() })).bucketId;
    const late = (await grant(db, { walletId, kind: "pack", amount: 500n, expiresAt: days(9), source: "b", idempotencyKey: key() })).bucketId;
    const res = (await r(walletId, userId, 200n)) as { holdId: string };
    await settle(db, { holdId: res.holdId, amount: 60n });
    const rows = await db.select().from(bucket).where(eq(bucket.walletId, walletId));
    const by = Object.fromEntries(rows.map((x) => [x.id, x.available]));
    expect(by[early]).toBe(0n);
    expect(by[late]).toBe(490n);
  });

  it("clamps a settle above the hold to the hold", async () => {
    const { userId, walletId } = await personal(1000n);
    const res = (await r(walletId, userId, 300n)) as { holdId: string };
    expect(await settle(db, { holdId: res.holdId, amount: 999n })).toMatchObject({ charged: 300n, clamped: true });
    expect((await getBalance(db, { walletId, now: NOW })).total).toBe(700n);
  });

  it("resolves exactly once: replays return the first result, a late release loses", async () => {
    const { userId, walletId } = await personal(1000n);
    const res = (await r(walletId, userId, 300n)) as { holdId: string };
    await settle(db, { holdId: res.holdId, amount: 100n });
    expect(await settle(db, { holdId: res.holdId, amount: 100n })).toMatchObject({ charged: 100n, replayed: true, lost: false });
    expect(await settle(db, { holdId: res.holdId, amount: 250n })).toMatchObject({ charged: 100n, replayed: true });
    expect(await release(db, { holdId: res.holdId })).toMatchObject({ charged: 100n, replayed: true, lost: true, state: "settled" });
    expect((await getBalance(db, { walletId, now: NOW })).total).toBe(900n);
  });

  it("release returns everything; a later settle loses", async () => {
    const { userId, walletId } = await personal(1000n);
    const res = (await r(walletId, userId, 300n)) as { holdId: string };
    expect(await release(db, { holdId: res.holdId })).toMatchObject({ charged: 0n, replayed: false, state: "released" });
    expect(await settle(db, { holdId: res.holdId, amount: 10n })).toMatchObject({ charged: 0n, replayed: true, lost: true, state: "released" });
    expect((await getBalance(db, { walletId, now: NOW })).available).toBe(1000n);
  });

  it("settle with usage writes the usage row on the payer's bill of the hold's cycle, in the same transaction", async () => {
    const owner = await makeUser(db);
    const fam = await createFamilyWallet(db, { ownerUserId: owner });
    await grant(db, { walletId: fam.id, kind: "allowance", amount: 1000n, expiresAt: days(20), source: "plan", idempotencyKey: key() });
    const kid = await makeUser(db);
    await addMember(db, { walletId: fam.id, userId: kid });
    const res = (await reserve(db, { walletId: fam.id, userId: kid, amount: 100n, idempotencyKey: key(), cycle: CYCLE, now: NOW, ttlSeconds: 60 })) as {
      holdId: string;
    };
    const u = usageFor(kid);
    const s = await settle(db, { holdId: res.holdId, amount: 30n, usage: u });
    expect(s.usageId).toBeDefined();
    const [row] = await db.select().from(usage).where(eq(usage.id, s.usageId!));
    const [b] = await db.select().from(bill).where(eq(bill.id, row.billId));
    expect(b).toMatchObject({ userId: owner, cycle: CYCLE });
    expect(row).toMatchObject({ userId: kid, walletId: fam.id, planTokens: 30n, cycle: CYCLE, holdId: res.holdId, requestId: u.requestId });
    // a replayed settle returns the same usage id and writes nothing more
    expect((await settle(db, { holdId: res.holdId, amount: 30n, usage: u })).usageId).toBe(s.usageId);
    expect(await db.select().from(usage)).toHaveLength(1);
  });

  it("a duplicate request id rolls the whole settle back", async () => {
    const { userId, walletId } = await personal(1000n);
    const a = (await r(walletId, userId, 100n)) as { holdId: string };
    const b = (await r(walletId, userId, 100n)) as { holdId: string };
    const u = usageFor(userId);
    await settle(db, { holdId: a.holdId, amount: 10n, usage: u });
    await expect(settle(db, { holdId: b.holdId, amount: 10n, usage: u })).rejects.toThrow();
    const [h] = await db.select().from(hold).where(eq(hold.id, b.holdId));
    expect(h.state).toBe("open");
    await release(db, { holdId: b.holdId });
  });

  it("release with usage records a zero-charge usage row", async () => {
    const { userId, walletId } = await personal(1000n);
    const a = (await r(walletId, userId, 100n)) as { holdId: string };
    const s = await release(db, { holdId: a.holdId, usage: usageFor(userId, { tokensOut: 0, usageSource: "none", status: "aborted" }) });
    const [row] = await db.select().from(usage).where(eq(usage.id, s.usageId!));
    expect(row.planTokens).toBe(0n);
  });

  it("support releaseHold records actor and reason", async () => {
    const { userId, walletId } = await personal(1000n);
    const a = (await r(walletId, userId, 100n)) as { holdId: string };
    const staff = await makeUser(db);
    await releaseHold(db, { holdId: a.holdId, actorUserId: staff, reason: "stuck" });
    const es = await db.select().from(entry).where(eq(entry.holdId, a.holdId));
    expect(es.find((e) => e.kind === "release")).toMatchObject({ actorUserId: staff, reason: "stuck" });
  });
});

describe("a settle after someone else resolved the hold", () => {
  it("charges what was produced beyond that resolution, from what the wallet has, and writes the usage row", async () => {
    const { userId, walletId } = await personal(1000n);
    const a = (await r(walletId, userId, 100n, key(), { ttlSeconds: 60 })) as { holdId: string };
    await recordProgress(db, { holdId: a.holdId, amount: 30n, draft: usageFor(userId, { usageSource: "counted", status: "interrupted" }) });
    // Support resolves it as stuck (no progress for the TTL)…
    const staff = await makeUser(db);
    expect(await releaseHold(db, { holdId: a.holdId, actorUserId: staff, reason: "stuck", now: new Date(NOW.getTime() + 61_000) })).toMatchObject({
      outcome: "resolved",
      state: "settled",
      charged: 30n,
    });
    // …then the stream ends after all and settles what it produced.
    const late = await settle(db, { holdId: a.holdId, amount: 80n, usage: usageFor(userId, { tokensOut: 70 }), now: NOW });
    expect(late).toMatchObject({ outcome: "late", charged: 80n });
    expect((await getBalance(db, { walletId, now: NOW })).available).toBe(920n);
    const [h] = await db.select().from(hold).where(eq(hold.id, a.holdId));
    expect(h).toMatchObject({ settledAmount: 30n, lateCharged: 50n, shortfall: 0n });
    const [u] = await db.select().from(usage).where(eq(usage.holdId, a.holdId));
    expect(u).toMatchObject({ planTokens: 80n, tokensOut: 70, status: "ok" });
    // Idempotent: the same settle again charges nothing more.
    expect(await settle(db, { holdId: a.holdId, amount: 80n, usage: usageFor(userId, { tokensOut: 70 }), now: NOW })).toMatchObject({ charged: 80n });
    expect((await getBalance(db, { walletId, now: NOW })).available).toBe(920n);
  });

  it("records a shortfall when the wallet cannot pay the rest", async () => {
    const { userId, walletId } = await personal(100n);
    const a = (await r(walletId, userId, 100n, key(), { ttlSeconds: 60 })) as { holdId: string };
    await sweepHolds(db, { now: new Date(NOW.getTime() + 61_000) });
    const other = (await r(walletId, userId, 90n)) as { holdId: string };
    await settle(db, { holdId: other.holdId, amount: 90n });
    const late = await settle(db, { holdId: a.holdId, amount: 40n, usage: usageFor(userId), now: NOW });
    expect(late).toMatchObject({ outcome: "late", charged: 10n });
    const [h] = await db.select().from(hold).where(eq(hold.id, a.holdId));
    expect(h).toMatchObject({ state: "released", lateCharged: 10n, shortfall: 30n });
    expect((await getBalance(db, { walletId, now: NOW })).available).toBe(0n);
  });

  it("support cannot resolve a hold whose stream still shows progress", async () => {
    const { userId, walletId } = await personal(1000n);
    const a = (await r(walletId, userId, 100n, key(), { ttlSeconds: 60 })) as { holdId: string };
    const staff = await makeUser(db);
    // A note 50 s in keeps it alive until 110 s.
    await recordProgress(db, { holdId: a.holdId, amount: 10n, now: new Date(NOW.getTime() + 50_000), ttlSeconds: 60, draft: usageFor(userId) });
    await expect(releaseHold(db, { holdId: a.holdId, actorUserId: staff, reason: "stuck", now: new Date(NOW.getTime() + 100_000) })).rejects.toBeInstanceOf(
      HoldLiveError,
    );
    expect(await sweepHolds(db, { now: new Date(NOW.getTime() + 100_000) })).toEqual({ settled: 0, released: 0, skipped: 0 });
    expect(await releaseHold(db, { holdId: a.holdId, actorUserId: staff, reason: "stuck", now: new Date(NOW.getTime() + 111_000) })).toMatchObject({
      state: "settled",
      charged: 10n,
    });
  });
});

describe("expiry and sweeping", () => {
  it("expireBuckets removes available tokens past expiry and writes entries", async () => {
    const { walletId } = await personal(100n, "trial", days(1));
    await grant(db, { walletId, kind: "pack", amount: 50n, expiresAt: days(30), source: "p", idempotencyKey: key() });
    expect(await expireBuckets(db, { now: days(2) })).toEqual({ wallets: 1, expired: 100n });
    expect(await expireBuckets(db, { now: days(2) })).toEqual({ wallets: 0, expired: 0n });
    expect((await getBalance(db, { walletId, now: days(2) })).available).toBe(50n);
  });

  it("tokens held in a bucket that expires are written off when the hold resolves", async () => {
    const { userId, walletId } = await personal(100n, "trial", days(1));
    const a = (await r(walletId, userId, 60n)) as { holdId: string };
    await expireBuckets(db, { now: days(2) });
    let b = await getBalance(db, { walletId, now: days(2) });
    expect([b.available, b.held]).toEqual([0n, 60n]);
    await settle(db, { holdId: a.holdId, amount: 10n });
    b = await getBalance(db, { walletId, now: days(2) });
    expect([b.available, b.held, b.total]).toEqual([0n, 0n, 0n]);
  });

  it("sweepHolds settles from recorded progress, else releases", async () => {
    const { userId, walletId } = await personal(1000n);
    const a = (await r(walletId, userId, 100n, key(), { ttlSeconds: 60 })) as { holdId: string };
    const b = (await r(walletId, userId, 100n, key(), { ttlSeconds: 60 })) as { holdId: string };
    const c = (await r(walletId, userId, 100n, key(), { ttlSeconds: 6000 })) as { holdId: string };
    const draft = usageFor(userId, { usageSource: "counted", status: "interrupted" });
    await recordProgress(db, { holdId: a.holdId, amount: 40n, draft });
    await recordProgress(db, { holdId: a.holdId, amount: 30n, draft }); // progress never goes backwards
    await recordProgress(db, { holdId: b.holdId, amount: 0n, draft: usageFor(userId) });
    expect(await sweepHolds(db, { now: new Date(NOW.getTime() + 61_000) })).toEqual({ settled: 1, released: 1, skipped: 0 });
    const bal = await getBalance(db, { walletId, now: NOW });
    expect([bal.available, bal.held]).toEqual([860n, 100n]);
    await release(db, { holdId: c.holdId });
  });
});

describe("adjust and refund", () => {
  it("a positive adjustment adds a credit; a negative one takes from available, never below zero", async () => {
    const { walletId } = await personal(100n);
    const staff = await makeUser(db);
    expect(await adjust(db, { walletId, amount: 50n, actorUserId: staff, reason: "goodwill", idempotencyKey: key("a"), now: NOW })).toMatchObject({ ok: true });
    expect(await adjust(db, { walletId, amount: -120n, actorUserId: staff, reason: "fix", idempotencyKey: key("a"), now: NOW })).toMatchObject({ ok: true });
    expect((await getBalance(db, { walletId, now: NOW })).available).toBe(30n);
    const k = key("a");
    expect(await adjust(db, { walletId, amount: -31n, actorUserId: staff, reason: "fix", idempotencyKey: k, now: NOW })).toEqual({
      ok: false,
      code: "insufficient_balance",
      available: 30n,
    });
    // the refused key was not consumed
    expect(await adjust(db, { walletId, amount: -30n, actorUserId: staff, reason: "fix", idempotencyKey: k, now: NOW })).toMatchObject({
      ok: true,
      replayed: false,
    });
    expect(await adjust(db, { walletId, amount: -30n, actorUserId: staff, reason: "fix", idempotencyKey: k, now: NOW })).toMatchObject({
      ok: true,
      replayed: true,
    });
    await expect(adjust(db, { walletId, amount: -29n, actorUserId: staff, reason: "fix", idempotencyKey: k, now: NOW })).rejects.toBeInstanceOf(
      IdempotencyConflictError,
    );
    expect((await getBalance(db, { walletId, now: NOW })).available).toBe(0n);
  });

  it("refundUsage credits a usage row's plan tokens back once", async () => {
    const { userId, walletId } = await personal(1000n);
    const a = (await r(walletId, userId, 100n)) as { holdId: string };
    const s = await settle(db, { holdId: a.holdId, amount: 70n, usage: usageFor(userId) });
    const staff = await makeUser(db);
    const k = key("refund");
    expect(await refundUsage(db, { usageId: s.usageId!, actorUserId: staff, reason: "bad answer", idempotencyKey: k, now: NOW })).toMatchObject({
      ok: true,
      amount: 70n,
      replayed: false,
    });
    expect(await refundUsage(db, { usageId: s.usageId!, actorUserId: staff, reason: "bad answer", idempotencyKey: k, now: NOW })).toMatchObject({
      ok: true,
      amount: 70n,
      replayed: true,
    });
    expect(await refundUsage(db, { usageId: s.usageId!, actorUserId: staff, reason: "again", idempotencyKey: key("refund"), now: NOW })).toEqual({
      ok: false,
      code: "already_refunded",
    });
    expect((await getBalance(db, { walletId, now: NOW })).available).toBe(1000n);
    const [u] = await db.select().from(usage).where(eq(usage.id, s.usageId!));
    expect(u.refundedAt).not.toBeNull();
  });
});

describe("family members and caps", () => {
  async function family(amount = 10_000n) {
    const owner = await makeUser(db);
    const fam = await createFamilyWallet(db, { ownerUserId: owner });
    await grant(db, { walletId: fam.id, kind: "allowance", amount, expiresAt: days(20), source: "plan", idempotencyKey: key() });
    const kid = await makeUser(db);
    await addMember(db, { walletId: fam.id, userId: kid, capTokens: 500n });
    return { owner, walletId: fam.id, kid };
  }

  it("enforces the member's cap over used + held", async () => {
    const { walletId, kid, owner } = await family();
    const a = (await r(walletId, kid, 300n)) as { holdId: string };
    expect(await r(walletId, kid, 201n)).toMatchObject({ ok: false, code: "cap_reached", capLeft: 200n });
    await settle(db, { holdId: a.holdId, amount: 250n });
    expect(await getMemberSpend(db, { walletId, userId: kid, cycle: CYCLE })).toMatchObject({ used: 250n, held: 0n, capLeft: 250n });
    expect(await r(walletId, kid, 251n)).toMatchObject({ ok: false, code: "cap_reached", capLeft: 250n });
    expect(await r(walletId, kid, 250n)).toMatchObject({ ok: true });
    // the owner has no cap; a new cycle starts from zero
    expect(await r(walletId, owner, 5000n)).toMatchObject({ ok: true });
    expect(await r(walletId, kid, 500n, key(), { cycle: "2026-06" })).toMatchObject({ ok: true });
  });

  it("paused, removed and non-members cannot reserve", async () => {
    const { walletId, kid } = await family();
    await setMemberPaused(db, { walletId, userId: kid, paused: true });
    expect(await r(walletId, kid, 1n)).toEqual({ ok: false, code: "member_paused" });
    await setMemberPaused(db, { walletId, userId: kid, paused: false });
    await setMemberCap(db, { walletId, userId: kid, capTokens: null });
    expect(await r(walletId, kid, 600n)).toMatchObject({ ok: true });
    const stranger = await makeUser(db);
    expect(await r(walletId, stranger, 1n)).toEqual({ ok: false, code: "not_member" });
  });

  it("removeMember stops new reserves and asks live streams to stop; it never releases a live hold", async () => {
    const { walletId, kid } = await family();
    const a = (await r(walletId, kid, 100n)) as { holdId: string };
    const b = (await r(walletId, kid, 100n)) as { holdId: string };
    expect((await recordProgress(db, { holdId: a.holdId, amount: 25n, draft: usageFor(kid) })).stop).toBe(false);
    expect(await removeMember(db, { walletId, userId: kid, now: NOW })).toEqual({ settled: 0, released: 0, stopping: 2 });
    expect(await r(walletId, kid, 1n)).toEqual({ ok: false, code: "not_member" });
    // Both holds stay with their streams; the next progress note tells each to stop.
    expect(await db.select({ state: hold.state }).from(hold).where(eq(hold.id, a.holdId))).toEqual([{ state: "open" }]);
    expect(await recordProgress(db, { holdId: a.holdId, amount: 30n, draft: usageFor(kid) })).toEqual({ open: true, stop: true });
    // The stream settles for what it produced; the other one never produced anything.
    await settle(db, { holdId: a.holdId, amount: 30n, usage: usageFor(kid, { status: "interrupted" }) });
    await release(db, { holdId: b.holdId });
    expect((await getBalance(db, { walletId, now: NOW })).available).toBe(9970n);
    expect(await getMemberSpend(db, { walletId, userId: kid, cycle: CYCLE })).toMatchObject({ used: 30n, held: 0n, status: "removed" });
  });

  it("removeMember resolves a stale hold (no progress for its TTL) from what it recorded", async () => {
    const { walletId, kid } = await family();
    const a = (await r(walletId, kid, 100n, key(), { ttlSeconds: 60 })) as { holdId: string };
    await recordProgress(db, { holdId: a.holdId, amount: 25n, draft: usageFor(kid, { usageSource: "counted", status: "interrupted" }) });
    expect(await removeMember(db, { walletId, userId: kid, now: new Date(NOW.getTime() + 61_000) })).toEqual({ settled: 1, released: 0, stopping: 0 });
    expect((await getBalance(db, { walletId, now: NOW })).available).toBe(9975n);
    const [u] = await db.select().from(usage).where(eq(usage.holdId, a.holdId));
    expect(u).toMatchObject({ planTokens: 25n, status: "interrupted", usageSource: "counted" });
  });
});
