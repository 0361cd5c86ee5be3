import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { createPgTestDb } from "@/lib/testing/pg-db";
import type { DbHandle } from "@/lib/db/connect";
import { autoPackCount, billLine, bucket, carrierCharge } from "@/lib/db/schema";
import { reconcileLedger } from "@/lib/ledger";
import { reconcileBilling } from "@/lib/billing/bill-checks";
import { embeddedCarrier } from "@/lib/billing/carrier";
import { familyOwner, NOW } from "@/lib/testing/family";
import { autoBuyPack, setSafetyNet } from "./safety-net";

// The safety net's pack ceiling under real concurrency, on PostgreSQL.
let h: DbHandle;
beforeAll(async () => {
  h = await createPgTestDb({ max: 30 });
});
afterAll(async () => {
  await h?.close();
});

describe("放心用 pack ceiling on real PostgreSQL", () => {
  it("50 concurrent requests that find the wallet empty buy exactly the ceiling's 3 packs, each billed and texted once", async () => {
    const { owner, walletId } = await familyOwner(h.db, { pool: 0n });
    await setSafetyNet(h.db, {
      payerUserId: owner.id,
      walletId,
      userId: owner.id,
      choice: { mode: "auto_pack", packId: "p99", maxPacksPerMonth: 3 },
      now: NOW,
    });
    const texts: string[] = [];
    const sender = { send: async (m: { body: string }) => void texts.push(m.body) };
    const results = await Promise.all(
      Array.from({ length: 50 }, () => autoBuyPack(h.db, { walletId, userId: owner.id, now: NOW, adapter: embeddedCarrier, sender })),
    );
    const bought = results.filter((r) => r.ok);
    expect(bought).toHaveLength(3);
    expect(bought.map((r) => (r.ok ? r.n : 0)).sort()).toEqual([1, 2, 3]);
    expect(results.filter((r) => !r.ok && r.code === "ceiling_reached")).toHaveLength(47);
    const [count] = await h.db.select().from(autoPackCount).where(eq(autoPackCount.walletId, walletId));
    expect(count!.bought).toBe(3);
    const packs = await h.db.select().from(bucket).where(eq(bucket.walletId, walletId));
    expect(packs.filter((b) => b.kind === "pack").map((b) => b.granted)).toEqual([4_000_000n, 4_000_000n, 4_000_000n]);
    const charges = await h.db.select().from(carrierCharge).where(eq(carrierCharge.userId, owner.id));
    expect(charges.filter((c) => c.status === "posted")).toHaveLength(3);
    const lines = await h.db.select().from(billLine);
    expect(lines.filter((l) => l.description.startsWith("加油包 400万（放心用自动购买")).length).toBeGreaterThanOrEqual(3);
    expect(texts).toHaveLength(3);
    expect(texts.every((t) => t.includes("放心用") && t.includes("¥9.90"))).toBe(true);
    expect((await reconcileLedger(h.db)).problems).toEqual([]);
    expect((await reconcileBilling(h.db)).problems).toEqual([]);
  });
});
