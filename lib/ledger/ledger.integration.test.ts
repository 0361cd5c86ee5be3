import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { createPgTestDb } from "@/lib/testing/pg-db";
import type { Database } from "@/lib/db/types";
import {
  addMember,
  createFamilyWallet,
  ensurePersonalWallet,
  getBalance,
  getMemberSpend,
  grant,
  IdempotencyConflictError,
  ledgerDrift,
  release,
  reserve,
  settle,
} from "./index";
import { CYCLE, days, expectReconciled, makeUser, NOW } from "@/lib/testing/ledger";

// Real PostgreSQL through the Neon driver and the WebSocket proxy, with a pool wide enough for
// requests to really interleave.
let h: Awaited<ReturnType<typeof createPgTestDb>>;
let db: Database;
beforeAll(async () => {
  h = await createPgTestDb({ max: 20 });
  db = h.db;
});
afterAll(() => h?.close());

async function fundedPersonal(amount: bigint) {
  const userId = await makeUser(db);
  const w = await ensurePersonalWallet(db, { userId });
  await grant(db, { walletId: w.id, kind: "allowance", amount, expiresAt: days(20), source: "test", idempotencyKey: randomUUID() });
  return { userId, walletId: w.id };
}

const r = (walletId: string, userId: string, amount: bigint, idempotencyKey = randomUUID(), batch = true) =>
  reserve(db, { walletId, userId, amount, idempotencyKey, cycle: CYCLE, now: NOW, ttlSeconds: 600, batch });

describe("ledger on real PostgreSQL", () => {
  it.each([
    [1, "one call each"],
    [2, "one call each"],
    [3, "one call each"],
    [4, "batched"],
    [5, "batched"],
    [6, "batched"],
  ] as const)("1,000 concurrent reserves on a wallet covering exactly K admit exactly K (rep %i, %s)", async (_rep, mode) => {
    const HOLD = 10n;
    const K = 200 + Math.floor(Math.random() * 600);
    const { userId, walletId } = await fundedPersonal(HOLD * BigInt(K));
    const results = await Promise.all(Array.from({ length: 1000 }, () => r(walletId, userId, HOLD, randomUUID(), mode === "batched")));
    const admitted = results.filter((x) => x.ok);
    expect(admitted).toHaveLength(K);
    expect(results.filter((x) => !x.ok && x.code === "insufficient_balance")).toHaveLength(1000 - K);
    let b = await getBalance(db, { walletId, now: NOW });
    expect([b.available, b.held]).toEqual([0n, HOLD * BigInt(K)]);
    let charged = 0n;
    await Promise.all(
      admitted.map(async (x, i) => {
        const amount = BigInt(i % 11);
        const s = await settle(db, { holdId: (x as { holdId: string }).holdId, amount });
        charged += s.charged;
      }),
    );
    b = await getBalance(db, { walletId, now: NOW });
    expect([b.available, b.held]).toEqual([HOLD * BigInt(K) - charged, 0n]);
    expect(await ledgerDrift(db)).toBe(0n);
    await expectReconciled(db);
  });

  it("a hold raced by settles and releases resolves exactly once", async () => {
    const { userId, walletId } = await fundedPersonal(100_000n);
    const holds = await Promise.all(Array.from({ length: 40 }, () => r(walletId, userId, 100n)));
    let expectedCharge = 0n;
    await Promise.all(
      holds.map(async (x, i) => {
        const holdId = (x as { holdId: string }).holdId;
        const outcomes = await Promise.all([
          settle(db, { holdId, amount: 30n + BigInt(i) }),
          release(db, { holdId }),
          settle(db, { holdId, amount: 60n }),
          release(db, { holdId }),
        ]);
        const winners = outcomes.filter((o) => !o.replayed);
        expect(winners).toHaveLength(1);
        // every loser reports the winner's result
        for (const o of outcomes) expect([o.state, o.charged]).toEqual([winners[0].state, winners[0].charged]);
        expectedCharge += winners[0].charged;
      }),
    );
    const b = await getBalance(db, { walletId, now: NOW });
    expect([b.available, b.held]).toEqual([100_000n - expectedCharge, 0n]);
    await expectReconciled(db);
  });

  it("replaying any key leaves the balance unchanged; another use of a key is a typed error", async () => {
    const { userId, walletId } = await fundedPersonal(10_000n);
    const gkey = randomUUID();
    const grants = await Promise.all(
      Array.from({ length: 10 }, () => grant(db, { walletId, kind: "pack", amount: 500n, expiresAt: days(9), source: "pack", idempotencyKey: gkey })),
    );
    expect(new Set(grants.map((g) => g.bucketId)).size).toBe(1);
    expect(grants.filter((g) => !g.replayed)).toHaveLength(1);
    const rkey = randomUUID();
    const reserves = await Promise.all(Array.from({ length: 20 }, () => r(walletId, userId, 700n, rkey)));
    expect(new Set(reserves.map((x) => (x as { holdId: string }).holdId)).size).toBe(1);
    expect(reserves.filter((x) => x.ok && !x.replayed)).toHaveLength(1);
    let b = await getBalance(db, { walletId, now: NOW });
    expect([b.available, b.held]).toEqual([9800n, 700n]);

    await expect(r(walletId, userId, 701n, rkey)).rejects.toBeInstanceOf(IdempotencyConflictError);
    await expect(grant(db, { walletId, kind: "pack", amount: 501n, expiresAt: days(9), source: "pack", idempotencyKey: gkey })).rejects.toBeInstanceOf(
      IdempotencyConflictError,
    );
    const holdId = (reserves[0] as { holdId: string }).holdId;
    await Promise.all(Array.from({ length: 10 }, () => settle(db, { holdId, amount: 200n })));
    b = await getBalance(db, { walletId, now: NOW });
    expect([b.available, b.held]).toEqual([10_300n, 0n]);
    await expectReconciled(db);
  });

  it("batches spanning many wallets stay exact and never deadlock", async () => {
    const ws = await Promise.all(Array.from({ length: 20 }, () => fundedPersonal(1000n)));
    let charged = 0n;
    await Promise.all(
      ws.flatMap((w) =>
        Array.from({ length: 30 }, async (_, i) => {
          const x = await r(w.walletId, w.userId, 50n);
          if (!x.ok) return;
          if (i % 4 === 0) await release(db, { holdId: x.holdId });
          else {
            const s = await settle(db, { holdId: x.holdId, amount: BigInt(i) });
            charged += s.charged;
          }
        }),
      ),
    );
    let total = 0n;
    for (const w of ws) total += (await getBalance(db, { walletId: w.walletId, now: NOW })).total;
    expect(total).toBe(20_000n - charged);
    await expectReconciled(db);
  });

  it("no interleaving lets a family member pass their cap", async () => {
    const owner = await makeUser(db);
    const fam = await createFamilyWallet(db, { ownerUserId: owner });
    await grant(db, { walletId: fam.id, kind: "allowance", amount: 1_000_000n, expiresAt: days(20), source: "plan", idempotencyKey: randomUUID() });
    const kids = [await makeUser(db), await makeUser(db)];
    for (const k of kids) await addMember(db, { walletId: fam.id, userId: k, capTokens: 1000n });
    // 300 reserves of 10 per member while settles of earlier holds run alongside.
    const admitted: Record<string, number> = {};
    await Promise.all(
      kids.flatMap((k) =>
        Array.from({ length: 300 }, async (_, i) => {
          const x = await r(fam.id, k, 10n);
          if (!x.ok) {
            expect(x.code).toBe("cap_reached");
            return;
          }
          admitted[k] = (admitted[k] ?? 0) + 1;
          if (i % 3 === 0) await settle(db, { holdId: x.holdId, amount: 10n });
        }),
      ),
    );
    for (const k of kids) {
      expect(admitted[k]).toBe(100);
      const s = await getMemberSpend(db, { walletId: fam.id, userId: k, cycle: CYCLE });
      expect(s.used + s.held).toBe(1000n);
      expect(s.capLeft).toBe(0n);
    }
    await expectReconciled(db);
  });
});
