import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { createPgTestDb } from "@/lib/testing/pg-db";
import type { DbHandle } from "@/lib/db/connect";
import { planAlert } from "@/lib/db/schema";
import { meteredRequest } from "@/lib/testing/ledger";
import { familyOwner, NOW } from "@/lib/testing/family";
import { checkAllowanceAlerts } from "./allowance-alerts";

// The once-per-threshold rule under real concurrency, on PostgreSQL.
let h: DbHandle;
beforeAll(async () => {
  h = await createPgTestDb({ max: 20 });
});
afterAll(async () => {
  await h?.close();
});

describe("allowance alerts on real PostgreSQL", () => {
  it("40 concurrent settles past 50% and 80% send exactly one text per threshold", async () => {
    const { owner, walletId } = await familyOwner(h.db, { pool: 1_000_000n });
    const r = await meteredRequest(h.db, { walletId, userId: owner.id, amount: 850_000n, now: NOW, modelId: "deepseek/deepseek-chat" }); // 85%
    expect(r.ok).toBe(true);
    const sent: string[] = [];
    const sender = { send: async (m: { body: string }) => void sent.push(m.body) };
    const fired = await Promise.all(Array.from({ length: 40 }, () => checkAllowanceAlerts(h.db, { walletId, now: NOW, sender })));
    expect(fired.flat().sort()).toEqual([50, 80]);
    expect(sent).toHaveLength(2);
    expect((await h.db.select().from(planAlert).where(eq(planAlert.walletId, walletId))).map((a) => a.threshold).sort()).toEqual([50, 80]);
  });
});
