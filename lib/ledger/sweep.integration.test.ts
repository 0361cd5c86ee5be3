import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { createPgTestDb } from "@/lib/testing/pg-db";
import { hold } from "@/lib/db/schema";
import { ensurePersonalWallet, grant, recordProgress, reserve, sweepHolds } from "@/lib/ledger";
import { CYCLE, days, expectReconciled, makeUser, NOW } from "@/lib/testing/ledger";

let h: Awaited<ReturnType<typeof createPgTestDb>>;
beforeAll(async () => {
  h = await createPgTestDb({ max: 20 });
});
afterAll(async () => h?.close());

describe("the hold sweeper with several instances", () => {
  it("three sweepers at once resolve every stale hold exactly once, skipping wallets another one holds", async () => {
    const db = h.db;
    const holds: string[] = [];
    for (let w = 0; w < 6; w++) {
      const userId = await makeUser(db);
      const walletId = (await ensurePersonalWallet(db, { userId })).id;
      await grant(db, { walletId, kind: "trial", amount: 1_000_000n, expiresAt: days(30), source: "trial", idempotencyKey: `g:${walletId}`, cycle: undefined });
      for (let i = 0; i < 10; i++) {
        const r = await reserve(db, { walletId, userId, amount: 1_000n, idempotencyKey: `req:${randomUUID()}`, cycle: CYCLE, now: NOW, ttlSeconds: 60 });
        if (!r.ok) throw new Error(r.code);
        holds.push(r.holdId);
        // Half the streams recorded output before they died: those are settled, the rest released.
        if (i % 2 === 0)
          await recordProgress(db, {
            holdId: r.holdId,
            amount: 300n,
            draft: {
              requestId: randomUUID(),
              userId,
              modelId: "deepseek-chat",
              providerRoute: "deepseek",
              tokensIn: 100,
              tokensOut: 200,
              weightInMicro: 1_000_000n,
              weightOutMicro: 1_000_000n,
              usageSource: "counted",
              status: "interrupted",
            },
          });
      }
    }
    const later = days(1);
    const runs = await Promise.all([sweepHolds(db, { now: later }), sweepHolds(db, { now: later }), sweepHolds(db, { now: later })]);
    const resolved = runs.reduce((n, r) => n + r.settled + r.released, 0);
    // Whatever a sweeper skipped (its wallet was taken) the next round resolves.
    const rest = await sweepHolds(db, { now: later });
    expect(resolved + rest.settled + rest.released).toBe(60);
    expect(runs.reduce((n, r) => n + r.settled, 0) + rest.settled).toBe(30);
    for (const id of holds) {
      const [row] = await db.select({ state: hold.state }).from(hold).where(eq(hold.id, id));
      expect(row!.state).not.toBe("open");
    }
    expect(await sweepHolds(db, { now: later })).toEqual({ settled: 0, released: 0, skipped: 0 });
    await expectReconciled(db);
  });
});
