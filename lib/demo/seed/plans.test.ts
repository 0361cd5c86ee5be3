import { describe, expect, it } from "vitest";
import { createTestDb } from "@/lib/testing/db";
import { seedDemo } from "./accounts";
import { listBills } from "@/lib/billing/bills";
import { reconcileBilling } from "@/lib/billing/bill-checks";
import { reconcileLedger } from "@/lib/ledger";
import { getPlanSummary } from "@/lib/plans/summary";
import { seedPlans } from "./plans";

describe("demo plans seed", () => {
  it("puts 张伟 on ¥59.9 with history and a pack, 王芳 on the family tier, and reconciles; seeding twice changes nothing", async () => {
    const { db, close } = await createTestDb();
    const now = new Date("2026-03-12T06:00:00Z");
    const users = await seedDemo(db, { now, steps: [seedPlans] });
    await seedDemo(db, { now, steps: [seedPlans] });
    const zhang = await getPlanSummary(db, { userId: users["13800000001"]!, now });
    expect(zhang.tier?.id).toBe("t599");
    // This month's requests spend last month's carried-over allowance (结转) first.
    expect(zhang.allowance.used + (zhang.carryover ? zhang.carryover.granted - zhang.carryover.left : 0n)).toBeGreaterThan(0n);
    expect(zhang.packs).toHaveLength(1);
    // Two requests a day leave a 3000万 allowance for months: the pace is read over the past week of
    // the seeded history, not over the minutes since the seed made the wallet.
    expect(zhang.forecast).toEqual({ kind: "lasts" });
    const bills = await listBills(db, { userId: users["13800000001"]! });
    expect(bills.map((b) => [b.cycle, b.status])).toEqual([
      ["2026-03", "open"],
      ["2026-02", "closed"],
    ]);
    expect(bills[1]!.requests).toBeGreaterThan(5);
    const wang = await getPlanSummary(db, { userId: users["13800000003"]!, now });
    expect(wang.tier?.id).toBe("t1999");
    expect((await reconcileBilling(db)).problems).toEqual([]);
    expect((await reconcileLedger(db)).problems).toEqual([]);
    await close();
  });
});
