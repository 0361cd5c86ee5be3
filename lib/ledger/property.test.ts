import { afterAll, beforeAll, expect, it } from "vitest";
import fc from "fast-check";
import { createTestDb } from "@/lib/testing/db";
import type { Database } from "@/lib/db/types";
import {
  addMember,
  adjust,
  createFamilyWallet,
  ensurePersonalWallet,
  expireBuckets,
  getBalance,
  getMemberSpend,
  grant,
  recordProgress,
  release,
  reserve,
  settle,
  sweepHolds,
} from "./index";
import { expectReconciled, key, makeUser, NOW } from "@/lib/testing/ledger";
import { and, eq, sql } from "drizzle-orm";
import { hold } from "@/lib/db/schema";
import type { UsageInput } from "./holds";

const usageOf = (userId: string, usageSource: UsageInput["usageSource"]): UsageInput => ({
  requestId: key("req"),
  userId,
  modelId: "demo/echo",
  providerRoute: "demo",
  tokensIn: 1,
  tokensOut: 1,
  weightInMicro: 1_000_000n,
  weightOutMicro: 1_000_000n,
  usageSource,
  status: "ok",
});
import { cycleOf } from "@/lib/core/cycle";

// Random sequences of every ledger operation; all invariants are checked after every step, and
// each step's result is checked against what the balance allowed just before it.
type Op =
  | { t: "grant"; amount: number; days: number; kind: "allowance" | "pack" | "credit" | "trial" }
  | { t: "reserve"; amount: number; member: boolean; ttl: number }
  | { t: "settle"; pick: number; amount: number }
  | { t: "release"; pick: number }
  | { t: "progress"; pick: number; amount: number }
  | { t: "advance"; minutes: number }
  | { t: "expire" }
  | { t: "sweep" }
  | { t: "adjust"; amount: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    t: fc.constant("grant" as const),
    amount: fc.integer({ min: 1, max: 500 }),
    days: fc.integer({ min: 0, max: 3 }),
    kind: fc.constantFrom("allowance", "pack", "credit", "trial"),
  }),
  fc.record({ t: fc.constant("reserve" as const), amount: fc.integer({ min: 1, max: 300 }), member: fc.boolean(), ttl: fc.integer({ min: 30, max: 3600 }) }),
  fc.record({ t: fc.constant("reserve" as const), amount: fc.integer({ min: 1, max: 300 }), member: fc.boolean(), ttl: fc.integer({ min: 30, max: 3600 }) }),
  fc.record({ t: fc.constant("settle" as const), pick: fc.nat(), amount: fc.integer({ min: 0, max: 350 }) }),
  fc.record({ t: fc.constant("release" as const), pick: fc.nat() }),
  fc.record({ t: fc.constant("progress" as const), pick: fc.nat(), amount: fc.integer({ min: 0, max: 300 }) }),
  fc.record({ t: fc.constant("advance" as const), minutes: fc.integer({ min: 1, max: 2 * 24 * 60 }) }),
  fc.record({ t: fc.constant("expire" as const) }),
  fc.record({ t: fc.constant("sweep" as const) }),
  fc.record({ t: fc.constant("adjust" as const), amount: fc.integer({ min: -300, max: 300 }).filter((n) => n !== 0) }),
);

let db: Database;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ db, close } = await createTestDb());
});
afterAll(() => close());

const CAP = 400n;

it("keeps every ledger invariant under random operation sequences", async () => {
  await fc.assert(
    fc.asyncProperty(fc.boolean(), fc.array(opArb, { minLength: 4, maxLength: 12 }), async (isFamily, ops) => {
      const owner = await makeUser(db);
      const member = await makeUser(db);
      const staff = await makeUser(db);
      const walletId = isFamily ? (await createFamilyWallet(db, { ownerUserId: owner })).id : (await ensurePersonalWallet(db, { userId: owner })).id;
      if (isFamily) await addMember(db, { walletId, userId: member, capTokens: CAP });
      let now = NOW;
      const holds: { id: string; amount: bigint; userId: string }[] = [];
      for (const op of ops) {
        const before = await getBalance(db, { walletId, now });
        const cycle = cycleOf(now);
        switch (op.t) {
          case "grant":
            await grant(db, {
              walletId,
              kind: op.kind,
              amount: BigInt(op.amount),
              expiresAt: new Date(now.getTime() + op.days * 86_400_000 + 3_600_000),
              source: "prop",
              idempotencyKey: key(),
            });
            break;
          case "reserve": {
            const userId = isFamily && op.member ? member : owner;
            const r = await reserve(db, { walletId, userId, amount: BigInt(op.amount), idempotencyKey: key(), cycle, now, ttlSeconds: op.ttl });
            const capLeft = isFamily && op.member ? (await getMemberSpend(db, { walletId, userId, cycle })).capLeft : null;
            if (r.ok) {
              expect(before.available >= BigInt(op.amount)).toBe(true);
              holds.push({ id: r.holdId, amount: BigInt(op.amount), userId });
            } else if (r.code === "insufficient_balance") {
              expect(before.available < BigInt(op.amount)).toBe(true);
            } else {
              expect(r.code).toBe("cap_reached");
              expect(capLeft! < BigInt(op.amount)).toBe(true);
            }
            break;
          }
          case "settle": {
            const h = holds[op.pick % Math.max(1, holds.length)];
            if (!h) break;
            // A request's own settle carries its usage (the provider's numbers, which supersede progress notes).
            const r = await settle(db, { holdId: h.id, amount: BigInt(op.amount), usage: usageOf(h.userId, "provider") });
            if (!r.replayed) expect(r.charged).toBe(BigInt(op.amount) < h.amount ? BigInt(op.amount) : h.amount);
            break;
          }
          case "release": {
            const h = holds[op.pick % Math.max(1, holds.length)];
            // A request releases only when its upstream billed nothing (with the provider's report).
            if (h) await release(db, { holdId: h.id, usage: usageOf(h.userId, "provider") });
            break;
          }
          case "progress": {
            const h = holds[op.pick % Math.max(1, holds.length)];
            if (h) await recordProgress(db, { holdId: h.id, amount: BigInt(op.amount), now, ttlSeconds: 60, draft: usageOf(h.userId, "counted") });
            break;
          }
          case "advance":
            now = new Date(now.getTime() + op.minutes * 60_000);
            break;
          case "expire":
            await expireBuckets(db, { now });
            break;
          case "sweep":
            await sweepHolds(db, { now });
            break;
          case "adjust": {
            const r = await adjust(db, { walletId, amount: BigInt(op.amount), actorUserId: staff, reason: "prop", idempotencyKey: key(), now });
            if (op.amount < 0) expect(r.ok).toBe(before.available >= BigInt(-op.amount));
            break;
          }
        }
        await expectReconciled(db);
        const after = await getBalance(db, { walletId, now });
        expect(after.available >= 0n && after.held >= 0n).toBe(true);
        if (isFamily) {
          for (const c of [cycleOf(NOW), cycleOf(now)]) {
            const s = await getMemberSpend(db, { walletId, userId: member, cycle: c });
            // A late charge (a settle after the sweeper resolved its hold) is what was really used
            // and may pass the cap; everything reserved stays within it.
            const [late] = await db
              .select({ n: sql<string>`coalesce(sum(${hold.lateCharged}), 0)::text` })
              .from(hold)
              .where(and(eq(hold.walletId, walletId), eq(hold.userId, member), eq(hold.cycle, c)));
            expect(s.used + s.held - BigInt(late!.n) <= CAP).toBe(true);
          }
        }
      }
    }),
    { numRuns: 14, endOnFailure: true },
  );
});
