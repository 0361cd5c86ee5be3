import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { and, eq, isNull, sql } from "drizzle-orm";
import { createPgTestDb } from "@/lib/testing/pg-db";
import type { Database } from "@/lib/db/types";
import { apiKey, apiKeySpend } from "@/lib/db/schema";
import { addMember, createFamilyWallet, getMemberSpend, grant, reserve } from "@/lib/ledger";
import { CYCLE, days, expectReconciled, makeUser, NOW } from "@/lib/testing/ledger";
import { createApiKey, MAX_ACTIVE_KEYS, revokeApiKey } from "./keys";
import { reserveKeySpend } from "./spend";

// The first requests of something new race to create its spend row: on real PostgreSQL, with a
// pool wide enough for them to interleave, no cap is passed and no limit is exceeded.
let h: Awaited<ReturnType<typeof createPgTestDb>>;
let db: Database;
beforeAll(async () => {
  h = await createPgTestDb({ max: 20 });
  db = h.db;
});
afterAll(() => h?.close());

describe("first-ever requests race", () => {
  it.each([true, false])("50 concurrent first requests of a brand-new family member never pass the member's cap (batched: %s)", async (batch) => {
    const owner = await makeUser(db);
    const fam = await createFamilyWallet(db, { ownerUserId: owner });
    await grant(db, { walletId: fam.id, kind: "allowance", amount: 1_000_000n, expiresAt: days(20), source: "plan", idempotencyKey: randomUUID() });
    const kid = await makeUser(db);
    const CAP = 1_000n;
    await addMember(db, { walletId: fam.id, userId: kid, capTokens: CAP });
    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        reserve(db, { walletId: fam.id, userId: kid, amount: 70n, idempotencyKey: randomUUID(), cycle: CYCLE, now: NOW, ttlSeconds: 600, batch }),
      ),
    );
    const admitted = results.filter((r) => r.ok).length;
    expect(admitted).toBe(Math.floor(Number(CAP) / 70));
    const s = await getMemberSpend(db, { walletId: fam.id, userId: kid, cycle: CYCLE });
    expect(s.used + s.held).toBe(BigInt(admitted) * 70n);
    expect(s.used + s.held <= CAP).toBe(true);
    await expectReconciled(db);
  });

  it("50 concurrent first requests of a brand-new API key with a monthly cap never pass the cap", async () => {
    const userId = await makeUser(db);
    const CAP = 1_000n;
    const { key } = await createApiKey(db, { userId, name: "agent", monthlyCapTokens: CAP, now: NOW });
    const results = await Promise.all(Array.from({ length: 50 }, () => reserveKeySpend(db, { keyId: key.id, cycle: CYCLE, amount: 70n, now: NOW })));
    const admitted = results.filter((r) => r.ok).length;
    expect(admitted).toBe(Math.floor(Number(CAP) / 70));
    const [s] = await db.select().from(apiKeySpend).where(eq(apiKeySpend.apiKeyId, key.id));
    expect(s!.held).toBe(BigInt(admitted) * 70n);
    expect(results.filter((r) => !r.ok).every((r) => !r.ok && r.code === "key_cap_reached")).toBe(true);
  });

  it("40 concurrent key creations for one user stop at the key limit; a revoked key frees its slot once", async () => {
    const userId = await makeUser(db);
    const results = await Promise.allSettled(Array.from({ length: 40 }, (_, i) => createApiKey(db, { userId, name: `k${i}`, now: NOW })));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(MAX_ACTIVE_KEYS);
    for (const r of results) if (r.status === "rejected") expect((r.reason as { code?: string }).code).toBe("too_many_keys");
    const live = await db
      .select({ n: sql<number>`count(*)::int` })
      .from(apiKey)
      .where(and(eq(apiKey.userId, userId), isNull(apiKey.revokedAt)));
    expect(live[0]!.n).toBe(MAX_ACTIVE_KEYS);
    const first = (results.find((r) => r.status === "fulfilled") as PromiseFulfilledResult<Awaited<ReturnType<typeof createApiKey>>>).value.key;
    // Revoking twice (concurrently) frees one slot, not two.
    await Promise.all([revokeApiKey(db, { userId, keyId: first.id, now: NOW }), revokeApiKey(db, { userId, keyId: first.id, now: NOW })]);
    const again = await Promise.allSettled([0, 1, 2].map((i) => createApiKey(db, { userId, name: `again${i}`, now: NOW })));
    expect(again.filter((r) => r.status === "fulfilled")).toHaveLength(1);
  });
});
