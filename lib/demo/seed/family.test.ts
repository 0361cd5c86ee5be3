import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestDb } from "@/lib/testing/db";
import type { Database } from "@/lib/db/types";
import { seedDemo } from "./accounts";
import { defaultSeedSteps } from "./steps";
import { cycleOf } from "@/lib/core/cycle";
import { reconcileLedger } from "@/lib/ledger";
import { resolvePayingWallet } from "@/lib/ledger";
import { getFamilyMembership, getFamilyUsageByMember, getOwnerFamilyView } from "@/lib/family/index";
import { DEMO_MEMBER_CAP, seedFamily } from "./family";

let db: Database;
let close: () => Promise<void>;
beforeEach(async () => {
  ({ db, close } = await createTestDb());
});
afterEach(async () => {
  expect((await reconcileLedger(db)).problems).toEqual([]);
  await close();
});

describe("demo family seed", () => {
  it("makes 王小明 a capped member of 王芳's family even without the plans step", async () => {
    const now = new Date();
    const users = await seedDemo(db, { now, steps: [seedFamily] });
    const m = await getFamilyMembership(db, { userId: users["13800000004"]! });
    expect(m).toMatchObject({ role: "member", capTokens: DEMO_MEMBER_CAP, ownerUserId: users["13800000003"] });
    expect((await resolvePayingWallet(db, { userId: users["13800000004"]!, now })).kind).toBe("family");
    await seedFamily(db, { now, users }); // idempotent
    expect((await getOwnerFamilyView(db, { ownerUserId: users["13800000003"]!, now }))!.members).toHaveLength(2);
  });

  it("after the plans step, both have usage on the ¥199.9 family pool", async () => {
    const now = new Date();
    const users = await seedDemo(db, { now, steps: defaultSeedSteps });
    const view = await getOwnerFamilyView(db, { ownerUserId: users["13800000003"]!, now });
    expect(view!.plan!.seats).toBe(4);
    expect(view!.pool.available).toBeGreaterThan(0n);
    const totals = await getFamilyUsageByMember(db, { ownerUserId: users["13800000003"]!, cycle: cycleOf(now) });
    expect(totals.map((t) => t.name)).toEqual(["王芳", "王小明"]);
    expect(totals.every((t) => t.requests > 0 && t.planTokens > 0n)).toBe(true);
  });
});
