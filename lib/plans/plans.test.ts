import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { createTestDb } from "@/lib/testing/db";
import type { Database } from "@/lib/db/types";
import { bill, billLine, bucket, carrierCharge, planAlert, planChange, smsMessage, usage, user, wallet, walletMember } from "@/lib/db/schema";
import { carryoverSource, ensurePersonalWallet, getBalance, grant, reconcileLedger } from "@/lib/ledger";
import { embeddedCarrier, failingCarrier, throwingCarrier } from "@/lib/billing/carrier";
import { getBill, listBillUsage, listBills } from "@/lib/billing/bills";
import { billCsv } from "@/lib/billing/csv";
import { reconcileBilling } from "@/lib/billing/bill-checks";
import {
  buyPack,
  cancelPlan,
  cancelPlanOnBehalf,
  changePlan,
  changePlanOnBehalf,
  checkAllowanceAlerts,
  getPlanSummary,
  getSubscription,
  listAlertNotices,
  quotePlans,
  rollOverUser,
  runRollover,
  undoScheduledChange,
} from "./index";
import { newUser, sh, spend } from "@/lib/testing/plans";
import { quietSms } from "@/lib/testing/family";
import { forecastFor } from "./forecast";

let db: Database;
let close: () => Promise<void>;
beforeEach(async () => {
  ({ db, close } = await createTestDb());
});
afterEach(async () => close());

async function buckets(walletId: string) {
  return db.select().from(bucket).where(eq(bucket.walletId, walletId)).orderBy(bucket.createdAt);
}
async function linesOf(userId: string, cycle: string) {
  const [b] = await db
    .select()
    .from(bill)
    .where(and(eq(bill.userId, userId), eq(bill.cycle, cycle)));
  if (!b) return { bill: null, lines: [] };
  return { bill: b, lines: await db.select().from(billLine).where(eq(billLine.billId, b.id)).orderBy(billLine.createdAt) };
}
async function expectReconciled() {
  const billing = await reconcileBilling(db);
  expect(billing.problems).toEqual([]);
  const ledger = await reconcileLedger(db);
  expect(ledger.problems).toEqual([]);
}

describe("subscribe", () => {
  it("on the 1st charges the whole monthly fee and grants the whole allowance until the cycle ends", async () => {
    const now = sh("2026-03-01T10:00:00");
    const u = await newUser(db, now);
    const r = await changePlan(db, { adapter: embeddedCarrier, userId: u, tierId: "t599", now });
    expect(r).toMatchObject({ action: "subscribed", amountFen: 5990n, tokens: 30_000_000n });
    const w = await ensurePersonalWallet(db, { userId: u });
    const allowance = (await buckets(w.id)).filter((b) => b.kind === "allowance");
    expect(allowance).toHaveLength(1);
    expect(allowance[0]).toMatchObject({ granted: 30_000_000n, cycle: "2026-03" });
    expect(allowance[0]!.expiresAt.toISOString()).toBe(sh("2026-04-01T00:00:00").toISOString());
    const { bill: b, lines } = await linesOf(u, "2026-03");
    expect(lines.map((l) => [l.kind, l.amountFen, l.description])).toEqual([["plan_fee", 5990n, "畅享版 2026-03 月费"]]);
    expect(b!.totalFen).toBe(5990n);
    const s = await getPlanSummary(db, { userId: u, now });
    expect(s.tier?.id).toBe("t599");
    expect(s.allowance).toEqual({ granted: 30_000_000n, left: 30_000_000n, used: 0n });
    expect(s.renewsAt?.toISOString()).toBe(sh("2026-04-01T00:00:00").toISOString());
    expect(s.trial?.left).toBe(500_000n);
    await expectReconciled();
  });

  it("mid-cycle (按天折算) charges and grants exactly the quoted days-left fraction; the next cycle is whole", async () => {
    const now = sh("2026-03-10T10:00:00"); // 22 of 31 days left, today included
    const u = await newUser(db, now);
    const [quote] = quotePlans({ tier: null }, now).filter((q) => q.tierId === "t599");
    // ¥59.90 × 22/31 = 4250.97 → 4251 fen; 30,000,000 × 22/31 = 21,290,322.58 → 21,290,323 tokens.
    expect(quote).toEqual({
      tierId: "t599",
      kind: "subscribe",
      priceFen: 4251n,
      tokens: 21_290_323n,
      remaining: 22,
      days: 31,
      fullPriceFen: 5990n,
      fullTokens: 30_000_000n,
    });
    const r = await changePlan(db, { adapter: embeddedCarrier, userId: u, tierId: "t599", now });
    expect(r).toMatchObject({ action: "subscribed", amountFen: 4251n, tokens: 21_290_323n });
    const w = await ensurePersonalWallet(db, { userId: u });
    expect((await buckets(w.id)).filter((b) => b.kind === "allowance").map((b) => b.granted)).toEqual([21_290_323n]);
    const march = await linesOf(u, "2026-03");
    expect(march.lines.map((l) => [l.kind, l.amountFen, l.description])).toEqual([["plan_fee", 4251n, "畅享版 2026-03 月费（首月按剩余 22/31 天折算）"]]);
    expect(march.bill!.totalFen).toBe(4251n);
    const [charge] = await db.select().from(carrierCharge).where(eq(carrierCharge.userId, u));
    expect(charge).toMatchObject({ amountFen: 4251n, grantTokens: 21_290_323n, status: "posted" });
    await runRollover(db, { adapter: embeddedCarrier, now: sh("2026-04-01T00:00:00") });
    expect((await linesOf(u, "2026-04")).lines.map((l) => [l.amountFen, l.description])).toEqual([[5990n, "畅享版 2026-04 月费"]]);
    const april = await getPlanSummary(db, { userId: u, now: sh("2026-04-01T00:00:01") });
    expect(april.allowance.granted).toBe(30_000_000n);
    await expectReconciled();
  });

  it("a declined charge grants nothing, bills nothing, and is recorded once", async () => {
    const now = sh("2026-03-10T10:00:00");
    const u = await newUser(db, now);
    const carrier = failingCarrier("insufficient_credit");
    const r = await changePlan(db, { userId: u, tierId: "t399", now, adapter: carrier });
    expect(r).toMatchObject({ action: "charge_failed", reason: "insufficient_credit" });
    const w = await ensurePersonalWallet(db, { userId: u });
    expect((await buckets(w.id)).filter((b) => b.kind === "allowance")).toHaveLength(0);
    expect((await linesOf(u, "2026-03")).lines).toHaveLength(0);
    const charges = await db.select().from(carrierCharge).where(eq(carrierCharge.userId, u));
    expect(charges).toHaveLength(1);
    expect(charges[0]).toMatchObject({ status: "failed", result: { reason: "insufficient_credit", reference: null } });
    expect(await getSubscription(db, { userId: u })).toBeNull();
    // The same attempt again returns the recorded result without asking the carrier twice.
    await changePlan(db, { userId: u, tierId: "t399", now, adapter: carrier });
    expect(carrier.calls).toHaveLength(1);
    await expectReconciled();
  });

  it("an unreachable carrier leaves the charge pending and nothing granted; the retry completes it once", async () => {
    const now = sh("2026-03-10T10:00:00");
    const u = await newUser(db, now);
    await expect(changePlan(db, { userId: u, tierId: "t399", now, adapter: throwingCarrier() })).rejects.toThrow();
    expect((await db.select().from(carrierCharge).where(eq(carrierCharge.userId, u)))[0]!.status).toBe("pending");
    await changePlan(db, { adapter: embeddedCarrier, userId: u, tierId: "t399", now });
    expect((await linesOf(u, "2026-03")).lines).toHaveLength(1);
    await expectReconciled();
  });
});

describe("upgrade, downgrade, cancel", () => {
  it("upgrades at once: prorated fee on this bill, prorated allowance now", async () => {
    const u = await newUser(db, sh("2026-04-01T08:00:00"));
    await changePlan(db, { adapter: embeddedCarrier, userId: u, tierId: "t399", now: sh("2026-04-01T08:00:00") });
    const r = await changePlan(db, { adapter: embeddedCarrier, userId: u, tierId: "t599", now: sh("2026-04-16T20:00:00") }); // 15 of 30 days left
    expect(r).toMatchObject({ action: "upgraded", amountFen: 1000n, tokens: 7_500_000n });
    const { lines, bill: b } = await linesOf(u, "2026-04");
    expect(lines.map((l) => [l.kind, l.amountFen])).toEqual([
      ["plan_fee", 3990n],
      ["proration", 1000n],
    ]);
    expect(b!.totalFen).toBe(4990n);
    const s = await getPlanSummary(db, { userId: u, now: sh("2026-04-16T20:00:00") });
    expect(s.tier?.id).toBe("t599");
    expect(s.allowance.granted).toBe(22_500_000n);
    await expectReconciled();
  });

  it("downgrade waits for the next cycle, can be undone, and the renewal bills the lower tier", async () => {
    const u = await newUser(db, sh("2026-04-02T08:00:00"));
    await changePlan(db, { adapter: embeddedCarrier, userId: u, tierId: "t999", now: sh("2026-04-02T08:00:00") });
    const d = await changePlan(db, { adapter: embeddedCarrier, userId: u, tierId: "t399", now: sh("2026-04-10T08:00:00") });
    expect(d).toMatchObject({ action: "downgrade_scheduled", tierId: "t399" });
    let s = await getPlanSummary(db, { userId: u, now: sh("2026-04-10T08:00:00") });
    expect(s.tier?.id).toBe("t999");
    expect(s.scheduled).toMatchObject({ action: "downgrade", tier: { id: "t399" } });
    await undoScheduledChange(db, { userId: u, now: sh("2026-04-11T08:00:00") });
    s = await getPlanSummary(db, { userId: u, now: sh("2026-04-11T08:00:00") });
    expect(s.scheduled).toBeNull();
    await changePlan(db, { adapter: embeddedCarrier, userId: u, tierId: "t599", now: sh("2026-04-12T08:00:00") });
    await runRollover(db, { adapter: embeddedCarrier, now: sh("2026-05-01T00:00:00") });
    s = await getPlanSummary(db, { userId: u, now: sh("2026-05-01T00:00:01") });
    expect(s.tier?.id).toBe("t599");
    expect(s.allowance.granted).toBe(30_000_000n);
    expect((await linesOf(u, "2026-05")).lines.map((l) => l.amountFen)).toEqual([5990n]);
    await expectReconciled();
  });

  it("cancel ends the plan at the cycle end with no renewal charge; undo keeps it", async () => {
    const u = await newUser(db, sh("2026-04-02T08:00:00"));
    await changePlan(db, { adapter: embeddedCarrier, userId: u, tierId: "t399", now: sh("2026-04-02T08:00:00") });
    await cancelPlan(db, { userId: u, now: sh("2026-04-20T08:00:00") });
    expect((await getPlanSummary(db, { userId: u, now: sh("2026-04-20T08:00:00") })).renewsAt).toBeNull();
    const report = await runRollover(db, { adapter: embeddedCarrier, now: sh("2026-05-01T00:00:00") });
    expect(report.ended).toBe(1);
    expect((await getSubscription(db, { userId: u }))!.status).toBe("ended");
    expect((await linesOf(u, "2026-05")).lines).toHaveLength(0);
    expect((await getPlanSummary(db, { userId: u, now: sh("2026-05-02T00:00:00") })).tier).toBeNull();
    // Subscribing again later works and charges afresh.
    expect(await changePlan(db, { adapter: embeddedCarrier, userId: u, tierId: "t599", now: sh("2026-05-03T08:00:00") })).toMatchObject({
      action: "subscribed",
    });
    await expectReconciled();
  });

  it("customer service changes and cancels on a user's behalf, with actor and reason recorded", async () => {
    const now = sh("2026-06-05T09:00:00");
    const u = await newUser(db, now);
    const staff = await newUser(db, now);
    await expect(changePlanOnBehalf(db, { adapter: embeddedCarrier, userId: u, tierId: "t399", actorUserId: staff, reason: " ", now })).rejects.toMatchObject({
      code: "reason_required",
    });
    await changePlanOnBehalf(db, { adapter: embeddedCarrier, userId: u, tierId: "t399", actorUserId: staff, reason: "客户来电要求开通", now });
    await cancelPlanOnBehalf(db, { userId: u, actorUserId: staff, reason: "客户要求退订", now });
    const log = await db.select().from(planChange).where(eq(planChange.userId, u)).orderBy(planChange.createdAt);
    expect(log.map((l) => [l.action, l.actorUserId, l.reason])).toEqual([
      ["subscribe", staff, "客户来电要求开通"],
      ["cancel", staff, "客户要求退订"],
    ]);
  });
});

describe("family tiers", () => {
  async function addMember(ownerWalletId: string, now: Date) {
    const m = await newUser(db, now);
    await db.insert(walletMember).values({ walletId: ownerWalletId, userId: m, role: "member" });
    return m;
  }

  it("grant into the owner's family wallet; moving up from a personal tier carries this cycle's allowance over", async () => {
    const u = await newUser(db, sh("2026-04-01T08:00:00"));
    await changePlan(db, { adapter: embeddedCarrier, userId: u, tierId: "t599", now: sh("2026-04-01T08:00:00") });
    const personal = await ensurePersonalWallet(db, { userId: u });
    await spend(db, { walletId: personal.id, userId: u, amount: 1_000_000n, now: sh("2026-04-02T08:00:00") }); // trial first (expires sooner)
    await changePlan(db, { adapter: embeddedCarrier, userId: u, tierId: "t1999", now: sh("2026-04-16T08:00:00") });
    const [fam] = await db
      .select()
      .from(wallet)
      .where(and(eq(wallet.ownerUserId, u), eq(wallet.kind, "family")));
    expect(fam).toBeDefined();
    const sub = await getSubscription(db, { userId: u });
    expect(sub!.walletId).toBe(fam!.id);
    const famAllowance = (await buckets(fam!.id)).filter((b) => b.kind === "allowance").reduce((s, b) => s + b.granted, 0n);
    // 30M − 500K used from the allowance after the trial ran out, carried; plus (140M−30M)×15/30.
    expect(famAllowance).toBe(29_500_000n + 55_000_000n);
    const personalBal = await getBalance(db, { walletId: personal.id, now: sh("2026-04-16T08:00:00") });
    expect(personalBal.buckets.filter((b) => b.kind === "allowance").reduce((s, b) => s + b.available, 0n)).toBe(0n);
    await expectReconciled();
  });

  it("refuses a downgrade or cancel that would strand members", async () => {
    const now = sh("2026-04-03T08:00:00");
    const u = await newUser(db, now);
    await changePlan(db, { adapter: embeddedCarrier, userId: u, tierId: "t2999", now });
    const sub = await getSubscription(db, { userId: u });
    for (let i = 0; i < 4; i++) await addMember(sub!.walletId, now); // 5 people, t1999 allows 4
    await expect(changePlan(db, { adapter: embeddedCarrier, userId: u, tierId: "t1999", now })).rejects.toMatchObject({
      code: "family_members_exceed",
      details: { members: 4, allowed: 3 },
    });
    await expect(changePlan(db, { adapter: embeddedCarrier, userId: u, tierId: "t999", now })).rejects.toMatchObject({ code: "family_members_exceed" });
    await expect(cancelPlan(db, { userId: u, now })).rejects.toMatchObject({ code: "family_members_exceed" });
    // After removing one member the family tier below fits.
    const [m] = await db
      .select()
      .from(walletMember)
      .where(and(eq(walletMember.walletId, sub!.walletId), eq(walletMember.role, "member")));
    await db
      .update(walletMember)
      .set({ status: "removed" })
      .where(and(eq(walletMember.walletId, m!.walletId), eq(walletMember.userId, m!.userId)));
    expect(await changePlan(db, { adapter: embeddedCarrier, userId: u, tierId: "t1999", now })).toMatchObject({ action: "downgrade_scheduled" });
  });
});

describe("packs", () => {
  it("a pack lasts to the end of the next cycle and is billed as a pack line; a double submit charges once", async () => {
    const now = sh("2026-01-20T10:00:00");
    const u = await newUser(db, now);
    const r1 = await buyPack(db, { adapter: embeddedCarrier, userId: u, packId: "p99", nonce: "n1", now });
    const r2 = await buyPack(db, { adapter: embeddedCarrier, userId: u, packId: "p99", nonce: "n1", now });
    expect(r1.status).toBe("posted");
    expect(r2.chargeId).toBe(r1.chargeId);
    const w = await ensurePersonalWallet(db, { userId: u });
    const packs = (await buckets(w.id)).filter((b) => b.kind === "pack");
    expect(packs).toHaveLength(1);
    expect(packs[0]!.expiresAt.toISOString()).toBe(sh("2026-03-01T00:00:00").toISOString());
    expect((await linesOf(u, "2026-01")).lines.map((l) => [l.kind, l.amountFen])).toEqual([["pack", 990n]]);
    await expectReconciled();
  });

  it("consumption order: trial (expires first), then this cycle's allowance, then the pack", async () => {
    const now = sh("2026-01-01T10:00:00");
    const u = await newUser(db, now); // trial 500K until Jan 8
    await changePlan(db, { adapter: embeddedCarrier, userId: u, tierId: "t399", now }); // 15M until Feb 1
    await buyPack(db, { adapter: embeddedCarrier, userId: u, packId: "p99", nonce: "a", now }); // 4M until Mar 1
    const w = await ensurePersonalWallet(db, { userId: u });
    const left = async () => Object.fromEntries((await buckets(w.id)).map((b) => [b.kind, b.available]));
    await spend(db, { walletId: w.id, userId: u, amount: 400_000n, now });
    expect(await left()).toEqual({ trial: 100_000n, allowance: 15_000_000n, pack: 4_000_000n });
    await spend(db, { walletId: w.id, userId: u, amount: 15_000_000n, now });
    expect(await left()).toEqual({ trial: 0n, allowance: 100_000n, pack: 4_000_000n });
    await spend(db, { walletId: w.id, userId: u, amount: 1_100_000n, now });
    expect(await left()).toEqual({ trial: 0n, allowance: 0n, pack: 3_000_000n });
    await expectReconciled();
  });
});

describe("rollover", () => {
  it("is idempotent: a second run changes nothing", async () => {
    const u = await newUser(db, sh("2026-01-15T10:00:00"));
    await changePlan(db, { adapter: embeddedCarrier, userId: u, tierId: "t599", now: sh("2026-01-15T10:00:00") });
    const first = await runRollover(db, { adapter: embeddedCarrier, now: sh("2026-02-01T00:00:00") });
    expect(first).toMatchObject({ cycle: "2026-02", closedBills: 1, renewed: 1, errors: [] });
    const snapshot = async () => ({
      bills: await db.select().from(bill).orderBy(bill.cycle),
      lines: await db.select().from(billLine).orderBy(billLine.id),
      buckets: await db.select().from(bucket).orderBy(bucket.id),
      charges: await db.select().from(carrierCharge).orderBy(carrierCharge.id),
      sub: await getSubscription(db, { userId: u }),
    });
    const before = await snapshot();
    const second = await runRollover(db, { adapter: embeddedCarrier, now: sh("2026-02-01T00:05:00") });
    expect(second).toMatchObject({ closedBills: 0, renewed: 0, ended: 0, lapsed: 0 });
    expect(await snapshot()).toEqual(before);
    expect(before.bills.map((b) => [b.cycle, b.status, b.totalFen])).toEqual([
      ["2026-01", "closed", 3285n], // first month: 17 of 31 days of ¥59.90
      ["2026-02", "open", 5990n],
    ]);
    const w = await ensurePersonalWallet(db, { userId: u });
    const live = (await getBalance(db, { walletId: w.id, now: sh("2026-02-01T00:05:00") })).buckets.filter((b) => b.kind === "allowance" && b.available > 0n);
    expect(live).toHaveLength(1);
    await expectReconciled();
  });

  it("Asia/Shanghai boundary: 23:59:59 lands on January, 00:00:00 on February even before the job runs", async () => {
    const u = await newUser(db, sh("2026-01-10T10:00:00"));
    await changePlan(db, { adapter: embeddedCarrier, userId: u, tierId: "t399", now: sh("2026-01-10T10:00:00") });
    await buyPack(db, { adapter: embeddedCarrier, userId: u, packId: "p99", nonce: "x", now: sh("2026-01-10T10:00:00") });
    const w = await ensurePersonalWallet(db, { userId: u });
    await spend(db, { walletId: w.id, userId: u, amount: 1000n, now: sh("2026-01-31T23:59:59") });
    await spend(db, { walletId: w.id, userId: u, amount: 2000n, now: sh("2026-02-01T00:00:00") }); // paid from the pack; job not run yet
    const rows = await db
      .select({ cycle: usage.cycle, planTokens: usage.planTokens, billCycle: bill.cycle })
      .from(usage)
      .innerJoin(bill, eq(bill.id, usage.billId))
      .orderBy(usage.planTokens);
    expect(rows).toEqual([
      { cycle: "2026-01", planTokens: 1000n, billCycle: "2026-01" },
      { cycle: "2026-02", planTokens: 2000n, billCycle: "2026-02" },
    ]);
    await runRollover(db, { adapter: embeddedCarrier, now: sh("2026-02-01T00:03:00") });
    const feb = await linesOf(u, "2026-02");
    expect(feb.lines.map((l) => l.kind)).toEqual(["plan_fee"]);
    const febBill = await getBill(db, { billId: feb.bill!.id, userId: u });
    expect(febBill!.allowance.planTokensUsed).toBe(2000n);
    await expectReconciled();
  });

  it("a declined renewal lapses the plan and grants nothing", async () => {
    const u = await newUser(db, sh("2026-01-10T10:00:00"));
    await changePlan(db, { adapter: embeddedCarrier, userId: u, tierId: "t399", now: sh("2026-01-10T10:00:00") });
    const r = await runRollover(db, { now: sh("2026-02-01T00:00:00"), adapter: failingCarrier() });
    expect(r.lapsed).toBe(1);
    expect((await getSubscription(db, { userId: u }))!.status).toBe("lapsed");
    expect((await linesOf(u, "2026-02")).lines).toHaveLength(0);
    await expectReconciled();
  });
});

describe("carry-over (结转)", () => {
  async function kinds(walletId: string) {
    return (await buckets(walletId)).map((b) => ({
      kind: b.kind,
      cycle: b.cycle,
      granted: b.granted,
      available: b.available,
      expiresAt: b.expiresAt.toISOString(),
    }));
  }

  it("carries unused allowance once into the next cycle, spent before the new allowance, gone at that cycle's end; across two rollovers", async () => {
    const u = await newUser(db, sh("2026-01-01T09:00:00"));
    await changePlan(db, { adapter: embeddedCarrier, userId: u, tierId: "t399", now: sh("2026-01-01T09:00:00") }); // 15M, whole month
    const w = await ensurePersonalWallet(db, { userId: u });
    await spend(db, { walletId: w.id, userId: u, amount: 5_500_000n, now: sh("2026-01-20T12:00:00") }); // trial expired Jan 8: 5.5M from the allowance
    // A request just after midnight, before the job: the allowance has expired and is not spent.
    await buyPack(db, { adapter: embeddedCarrier, userId: u, packId: "p99", nonce: "c1", now: sh("2026-01-25T12:00:00") });
    await spend(db, { walletId: w.id, userId: u, amount: 1000n, now: sh("2026-02-01T00:00:30") });

    await runRollover(db, { adapter: embeddedCarrier, now: sh("2026-02-01T00:05:00") });
    const feb = (await kinds(w.id)).filter((b) => b.cycle === "2026-02");
    expect(feb).toEqual([
      { kind: "carryover", cycle: "2026-02", granted: 9_500_000n, available: 9_500_000n, expiresAt: sh("2026-03-01T00:00:00").toISOString() },
      { kind: "allowance", cycle: "2026-02", granted: 15_000_000n, available: 15_000_000n, expiresAt: sh("2026-03-01T00:00:00").toISOString() },
    ]);
    // Spent first: the carried tokens, then the new allowance (same expiry; carryover ranks first).
    await spend(db, { walletId: w.id, userId: u, amount: 4_000_000n, now: sh("2026-02-10T12:00:00") });
    let s = await getPlanSummary(db, { userId: u, now: sh("2026-02-10T12:00:00") });
    expect(s.carryover).toEqual({ left: 5_500_000n, granted: 9_500_000n, expiresAt: sh("2026-03-01T00:00:00") });
    expect(s.allowance).toEqual({ granted: 15_000_000n, left: 15_000_000n, used: 0n });
    await spend(db, { walletId: w.id, userId: u, amount: 6_000_000n, now: sh("2026-02-20T12:00:00") }); // 5.5M carried + 0.5M allowance
    s = await getPlanSummary(db, { userId: u, now: sh("2026-02-20T12:00:00") });
    expect(s.carryover!.left).toBe(0n);
    expect(s.allowance.left).toBe(14_500_000n);
    const febBill = (await listBills(db, { userId: u })).find((b) => b.cycle === "2026-02")!;
    expect((await getBill(db, { billId: febBill.id, userId: u }))!.allowance.carriedOver).toBe(9_500_000n);

    // Second rollover: February's own allowance (14.5M left) carries; what was carried into
    // February is never carried again.
    await runRollover(db, { adapter: embeddedCarrier, now: sh("2026-03-01T00:00:00") });
    const mar = (await kinds(w.id)).filter((b) => b.kind === "carryover");
    expect(mar.map((b) => [b.cycle, b.granted, b.available])).toEqual([
      ["2026-02", 9_500_000n, 0n],
      ["2026-03", 14_500_000n, 14_500_000n],
    ]);
    const marBill = (await listBills(db, { userId: u })).find((b) => b.cycle === "2026-03")!;
    expect((await getBill(db, { billId: marBill.id, userId: u }))!.allowance.carriedOver).toBe(14_500_000n);
    // Unspent carry-over expires with its cycle: nothing of March's carry reaches April.
    await runRollover(db, { adapter: embeddedCarrier, now: sh("2026-04-01T00:00:00") });
    const apr = (await kinds(w.id)).filter((b) => b.kind === "carryover" && b.cycle === "2026-04");
    expect(apr.map((b) => b.granted)).toEqual([15_000_000n]); // March's untouched allowance only
    expect(
      (await getBalance(db, { walletId: w.id, now: sh("2026-04-01T00:00:01") })).buckets.filter((b) => b.kind === "carryover" && b.available > 0n),
    ).toHaveLength(1);
    await expectReconciled();
  });

  it("a plan that ends carries nothing; a carried bucket survives a downgrade into the same wallet", async () => {
    const u = await newUser(db, sh("2026-01-01T09:00:00"));
    await changePlan(db, { adapter: embeddedCarrier, userId: u, tierId: "t599", now: sh("2026-01-01T09:00:00") });
    await changePlan(db, { adapter: embeddedCarrier, userId: u, tierId: "t399", now: sh("2026-01-05T09:00:00") }); // downgrade at Feb 1
    await runRollover(db, { adapter: embeddedCarrier, now: sh("2026-02-01T00:00:00") });
    const w = await ensurePersonalWallet(db, { userId: u });
    expect((await kinds(w.id)).filter((b) => b.cycle === "2026-02").map((b) => [b.kind, b.granted])).toEqual([
      ["carryover", 30_000_000n],
      ["allowance", 15_000_000n],
    ]);
    await cancelPlan(db, { userId: u, now: sh("2026-02-03T09:00:00") });
    await runRollover(db, { adapter: embeddedCarrier, now: sh("2026-03-01T00:00:00") });
    expect((await kinds(w.id)).filter((b) => b.cycle === "2026-03")).toEqual([]);
    await expectReconciled();
  });

  it("rollover stays idempotent with carried buckets, also when two runs race; reconcile catches a second carry", async () => {
    const u = await newUser(db, sh("2026-01-01T09:00:00"));
    await changePlan(db, { adapter: embeddedCarrier, userId: u, tierId: "t399", now: sh("2026-01-01T09:00:00") });
    const w = await ensurePersonalWallet(db, { userId: u });
    await spend(db, { walletId: w.id, userId: u, amount: 3_000_000n, now: sh("2026-01-12T12:00:00") });
    await Promise.all([
      runRollover(db, { adapter: embeddedCarrier, now: sh("2026-02-01T00:00:00") }),
      runRollover(db, { adapter: embeddedCarrier, now: sh("2026-02-01T00:00:01") }),
    ]);
    const snapshot = async () => ({
      buckets: await db.select().from(bucket).orderBy(bucket.id),
      lines: await db.select().from(billLine).orderBy(billLine.id),
      wallet: await db.select().from(wallet).where(eq(wallet.id, w.id)),
    });
    const before = await snapshot();
    expect(before.buckets.filter((b) => b.kind === "carryover").map((b) => b.granted)).toEqual([12_000_000n]);
    await runRollover(db, { adapter: embeddedCarrier, now: sh("2026-02-01T00:10:00") });
    await rollOverUser(db, { userId: u, now: sh("2026-02-02T00:00:00"), adapter: embeddedCarrier });
    expect(await snapshot()).toEqual(before);
    await expectReconciled();
    // A second carry from the same month (or a carry of a different size) is a reconcile problem.
    await grant(db, {
      walletId: w.id,
      kind: "carryover",
      amount: 1n,
      expiresAt: sh("2026-03-01T00:00:00"),
      source: carryoverSource(w.id, "2026-01"),
      cycle: "2026-02",
      idempotencyKey: "test:second-carry",
    });
    const problems = (await reconcileLedger(db)).problems.filter((p) => p.check === "carryover_matches_expired_allowance");
    expect(problems.map((p) => p.detail).join("\n")).toMatch(/carried more than once/);
  });
});

describe("allowance alerts", () => {
  it("notify at 50%, 80% and 100% once per threshold per cycle, by notice and SMS", async () => {
    const now = sh("2026-03-01T10:00:00");
    const u = await newUser(db, now);
    await changePlan(db, { adapter: embeddedCarrier, userId: u, tierId: "t399", now });
    const w = await ensurePersonalWallet(db, { userId: u });
    const check = () => checkAllowanceAlerts(db, { walletId: w.id, walletKind: "personal", now, sender: quietSms(db), appUrl: "https://unitoken.example" });
    await spend(db, { walletId: w.id, userId: u, amount: 500_000n + 7_000_000n, now }); // trial + 7M of 15M (47%)
    expect(await check()).toEqual([]);
    await spend(db, { walletId: w.id, userId: u, amount: 4_000_000n, now }); // 73%
    expect(await check()).toEqual([50]);
    expect(await check()).toEqual([]);
    await spend(db, { walletId: w.id, userId: u, amount: 1_000_000n, now }); // 80%
    expect(await check()).toEqual([80]);
    await spend(db, { walletId: w.id, userId: u, amount: 3_000_000n, now }); // 100%
    expect(await check()).toEqual([100]);
    expect(await check()).toEqual([]);
    const texts = await db.select().from(smsMessage).where(eq(smsMessage.kind, "alert"));
    expect(texts).toHaveLength(3);
    expect(texts.map((t) => t.body).join()).toContain("50%");
    expect(texts.every((t) => t.body.includes("https://unitoken.example/plans#packs"))).toBe(true);
    const s = await getPlanSummary(db, { userId: u, now });
    expect(s.alerts.map((a) => a.threshold)).toEqual([100, 80, 50]);
    // Next cycle: a fresh allowance, fresh thresholds (nothing was left to carry over).
    await runRollover(db, { adapter: embeddedCarrier, now: sh("2026-04-01T00:00:00") });
    const april = sh("2026-04-02T10:00:00");
    await spend(db, { walletId: w.id, userId: u, amount: 12_000_000n, now: april });
    expect(await checkAllowanceAlerts(db, { walletId: w.id, now: april, sender: quietSms(db) })).toEqual([50, 80]);
    expect(await db.select().from(planAlert)).toHaveLength(5);
  });

  it("concurrent settles crossing a threshold send one text (the unique key decides)", async () => {
    const now = sh("2026-03-01T10:00:00");
    const u = await newUser(db, now);
    await changePlan(db, { adapter: embeddedCarrier, userId: u, tierId: "t399", now });
    const w = await ensurePersonalWallet(db, { userId: u });
    await spend(db, { walletId: w.id, userId: u, amount: 500_000n + 12_500_000n, now }); // 83%
    const sent: string[] = [];
    const sender = { send: async (m: { body: string }) => void sent.push(m.body) };
    const results = await Promise.all(Array.from({ length: 12 }, () => checkAllowanceAlerts(db, { walletId: w.id, now, sender })));
    expect(results.flat().sort()).toEqual([50, 80]);
    expect(sent).toHaveLength(2);
  });

  it("each text carries the forecast from the last 7 days' pace; the plan page shows it too", async () => {
    const u = await newUser(db, sh("2026-11-01T08:00:00")); // the trial is long gone by December
    const w = await ensurePersonalWallet(db, { userId: u });
    await db
      .update(wallet)
      .set({ createdAt: sh("2026-11-01T08:00:00") })
      .where(eq(wallet.id, w.id));
    await changePlan(db, { adapter: embeddedCarrier, userId: u, tierId: "t399", now: sh("2026-12-01T08:00:00") });
    const now = sh("2026-12-15T12:00:00");
    await spend(db, { walletId: w.id, userId: u, amount: 8_000_000n, now });
    // The ledger stamps usage with the database clock; put it inside this test's last 7 days.
    await db
      .update(usage)
      .set({ createdAt: sh("2026-12-14T12:00:00") })
      .where(eq(usage.walletId, w.id));
    const sent: string[] = [];
    await checkAllowanceAlerts(db, { walletId: w.id, now, sender: { send: async (m) => void sent.push(m.body) }, appUrl: "https://u.example" });
    // 8M in 7 days, 7M left: 6.125 days → Dec 21, 15:00.
    expect(sent).toEqual([
      "【Unitoken】本月套餐额度已使用 50%（800万/1500万 tokens）。按近 7 天用量，预计 12月21日 用完。买加油包：https://u.example/plans#packs",
    ]);
    const s = await getPlanSummary(db, { userId: u, now });
    expect(s.forecast).toEqual({ kind: "runs_out", at: sh("2026-12-21T15:00:00") });
    const [notice] = await listAlertNotices(db, { userId: u, now });
    expect(notice).toMatchObject({ threshold: 50, member: false, forecast: { kind: "runs_out", at: sh("2026-12-21T15:00:00") } });
  });

  it("the pace's window reaches back to the oldest usage in it, even before the wallet's own creation", async () => {
    const now = sh("2026-12-15T12:00:00");
    const u = await newUser(db, sh("2026-11-01T08:00:00"));
    const w = await ensurePersonalWallet(db, { userId: u });
    await changePlan(db, { adapter: embeddedCarrier, userId: u, tierId: "t399", now: sh("2026-12-01T08:00:00") });
    await spend(db, { walletId: w.id, userId: u, amount: 7_000_000n, now });
    // The usage is 7 days old; the wallet row says it was made an hour ago.
    await db
      .update(usage)
      .set({ createdAt: sh("2026-12-08T12:00:00") })
      .where(eq(usage.walletId, w.id));
    await db
      .update(wallet)
      .set({ createdAt: sh("2026-12-15T11:00:00") })
      .where(eq(wallet.id, w.id));
    // 7M over 7 days with 8M left: 8 more days, Dec 23 12:00 (over one hour it would read "within the hour").
    expect(await forecastFor(db, { walletId: w.id, left: 8_000_000n, now })).toEqual({ kind: "runs_out", at: sh("2026-12-23T12:00:00") });
  });

  it("a family member's cap alerts the member (not the owner), once per threshold, with the member's own pace", async () => {
    const now = sh("2026-05-01T10:00:00");
    const owner = await newUser(db, now);
    const member = await newUser(db, now);
    await changePlan(db, { adapter: embeddedCarrier, userId: owner, tierId: "t1999", now });
    const sub = await getSubscription(db, { userId: owner });
    await db.insert(walletMember).values({ walletId: sub!.walletId, userId: member, role: "member", capTokens: 1_000_000n });
    await spend(db, { walletId: sub!.walletId, userId: member, amount: 600_000n, now });
    await checkAllowanceAlerts(db, { walletId: sub!.walletId, now, sender: quietSms(db) });
    await checkAllowanceAlerts(db, { walletId: sub!.walletId, now, sender: quietSms(db) });
    const rows = await db.select().from(planAlert);
    expect(rows.map((r) => [r.userId, r.memberUserId, r.threshold])).toEqual([[member, member, 50]]);
    const [{ phone }] = await db.select({ phone: user.phone }).from(user).where(eq(user.id, member));
    const texts = await db
      .select()
      .from(smsMessage)
      .where(and(eq(smsMessage.kind, "alert"), eq(smsMessage.phone, phone)));
    expect(texts.map((t) => t.body)).toEqual([expect.stringContaining("你本月的家庭额度上限已使用 50%（60万/100万 tokens）")]);
    expect(await listAlertNotices(db, { userId: owner, now })).toEqual([]);
    expect((await listAlertNotices(db, { userId: member, now })).map((n) => [n.threshold, n.member])).toEqual([[50, true]]);
    await spend(db, { walletId: sub!.walletId, userId: member, amount: 400_000n, now });
    await checkAllowanceAlerts(db, { walletId: sub!.walletId, now, sender: quietSms(db) });
    expect((await db.select().from(planAlert)).map((r) => r.threshold).sort()).toEqual([100, 50, 80]);
  });
});

describe("bills", () => {
  it("only the owner can read a bill, its usage and its CSV", async () => {
    const now = sh("2026-05-05T10:00:00");
    const a = await newUser(db, now);
    const b = await newUser(db, now);
    await changePlan(db, { adapter: embeddedCarrier, userId: a, tierId: "t399", now });
    const [billA] = await listBills(db, { userId: a });
    expect(await getBill(db, { billId: billA!.id, userId: a })).not.toBeNull();
    expect(await getBill(db, { billId: billA!.id, userId: b })).toBeNull();
    expect(await listBillUsage(db, { billId: billA!.id, userId: b })).toBeNull();
    expect(await billCsv(db, { billId: billA!.id, userId: b })).toBeNull();
    expect(await getBill(db, { billId: "not-a-uuid", userId: a })).toBeNull();
    expect(await listBills(db, { userId: b })).toEqual([]);
  });

  it("shows usage by day and model, pages and filters rows, exports CSV with a BOM", async () => {
    const now = sh("2026-05-01T10:00:00");
    const u = await newUser(db, now);
    await changePlan(db, { adapter: embeddedCarrier, userId: u, tierId: "t399", now });
    const w = await ensurePersonalWallet(db, { userId: u });
    const conv = "7f6c4a8e-1b2c-4d5e-8f90-123456789abc";
    for (let i = 0; i < 5; i++)
      await spend(db, {
        walletId: w.id,
        userId: u,
        amount: 1000n * BigInt(i + 1),
        now,
        modelId: i % 2 ? "qwen/qwen-plus" : "deepseek/deepseek-chat",
        conversationId: conv,
      });
    const [bl] = await listBills(db, { userId: u });
    expect(bl!.requests).toBe(5);
    expect(bl!.planTokens).toBe(15_000n);
    const d = await getBill(db, { billId: bl!.id, userId: u });
    expect(d!.byModel.map((m) => [m.modelId, m.planTokens, m.requests])).toEqual([
      ["deepseek/deepseek-chat", 9000n, 3],
      ["qwen/qwen-plus", 6000n, 2],
    ]);
    expect(d!.byDay).toHaveLength(31);
    expect(d!.allowance).toEqual({ granted: 15_000_000n, planTokensUsed: 15_000n, carriedOver: 0n });
    const page1 = await listBillUsage(db, { billId: bl!.id, userId: u, pageSize: 2, page: 1 });
    expect(page1!.total).toBe(5);
    expect(page1!.rows).toHaveLength(2);
    expect(page1!.rows[0]!.conversationId).toBe(conv);
    const page3 = await listBillUsage(db, { billId: bl!.id, userId: u, pageSize: 2, page: 3 });
    expect(page3!.rows).toHaveLength(1);
    const qwen = await listBillUsage(db, { billId: bl!.id, userId: u, filter: { modelId: "qwen/qwen-plus" } });
    expect(qwen!.total).toBe(2);
    const csv = await billCsv(db, { billId: bl!.id, userId: u });
    expect(csv!.body.charCodeAt(0)).toBe(0xfeff);
    expect(csv!.body).toContain("轻享版 2026-05 月费");
    expect(csv!.body).toContain("39.90");
    expect(csv!.body.split("\r\n").filter((l) => l.includes("qwen/qwen-plus"))).toHaveLength(2);
  });

  it("a member's usage on the owner's bill shows without a link to the member's conversation", async () => {
    const now = sh("2026-05-05T10:00:00");
    const owner = await newUser(db, now);
    const member = await newUser(db, now);
    await changePlan(db, { adapter: embeddedCarrier, userId: owner, tierId: "t1999", now });
    const sub = await getSubscription(db, { userId: owner });
    await db.insert(walletMember).values({ walletId: sub!.walletId, userId: member, role: "member" });
    await spend(db, { walletId: sub!.walletId, userId: member, amount: 5000n, now, conversationId: "7f6c4a8e-1b2c-4d5e-8f90-123456789abc" });
    const [bl] = await listBills(db, { userId: owner });
    const rows = await listBillUsage(db, { billId: bl!.id, userId: owner });
    expect(rows!.rows).toHaveLength(1);
    expect(rows!.rows[0]!.conversationId).toBeNull();
    const only = await listBillUsage(db, { billId: bl!.id, userId: owner, filter: { memberUserId: owner } });
    expect(only!.total).toBe(0);
  });
});

describe("a scripted month", () => {
  it("subscribe, chat, buy a pack, upgrade, roll over twice: reconciles with zero difference", async () => {
    const u = await newUser(db, sh("2026-01-03T09:00:00"));
    await changePlan(db, { adapter: embeddedCarrier, userId: u, tierId: "t399", now: sh("2026-01-03T09:00:00") });
    const w = await ensurePersonalWallet(db, { userId: u });
    await spend(db, { walletId: w.id, userId: u, amount: 3_000_000n, now: sh("2026-01-05T21:00:00") });
    await buyPack(db, { adapter: embeddedCarrier, userId: u, packId: "p299", nonce: "m1", now: sh("2026-01-12T12:00:00") });
    await spend(db, { walletId: w.id, userId: u, amount: 9_000_000n, now: sh("2026-01-14T12:00:00") });
    const up = await changePlan(db, { adapter: embeddedCarrier, userId: u, tierId: "t999", now: sh("2026-01-17T12:00:00") }); // 15/31 days: ¥60 diff → 2903.2 → 2903 fen
    expect(up).toMatchObject({ amountFen: 2903n, tokens: 21_774_194n });
    await spend(db, { walletId: w.id, userId: u, amount: 20_000_000n, now: sh("2026-01-25T12:00:00") });
    await runRollover(db, { adapter: embeddedCarrier, now: sh("2026-02-01T00:00:00") });
    await runRollover(db, { adapter: embeddedCarrier, now: sh("2026-02-01T00:10:00") });
    await spend(db, { walletId: w.id, userId: u, amount: 1_000_000n, now: sh("2026-02-03T12:00:00") });

    const bills = await listBills(db, { userId: u });
    expect(bills.map((b) => [b.cycle, b.status, b.totalFen])).toEqual([
      ["2026-02", "open", 9990n],
      ["2026-01", "closed", 3733n + 2990n + 2903n], // first month 29/31 days: 3732.58 → 3733
    ]);
    const jan = await getBill(db, { billId: bills[1]!.id, userId: u });
    expect(jan!.lines.reduce((s, l) => s + l.amountFen, 0n)).toBe(jan!.bill.totalFen);
    expect(jan!.allowance.planTokensUsed).toBe(32_000_000n);
    const paid = await db.select().from(carrierCharge).where(eq(carrierCharge.userId, u));
    expect(paid.every((c) => c.status === "posted")).toBe(true);
    expect(paid.reduce((s, c) => s + c.amountFen, 0n)).toBe(3733n + 2990n + 2903n + 9990n);
    await expectReconciled();
  });

  it("the reconciler catches a bill total that drifted from its lines", async () => {
    const now = sh("2026-01-03T09:00:00");
    const u = await newUser(db, now);
    await changePlan(db, { adapter: embeddedCarrier, userId: u, tierId: "t399", now });
    await db.update(bill).set({ totalFen: 1n }).where(eq(bill.userId, u));
    const r = await reconcileBilling(db);
    expect(r.ok).toBe(false);
    expect(r.problems.map((p) => p.check)).toContain("bill_total");
    await db.update(bill).set({ totalFen: 3733n }).where(eq(bill.userId, u));
    await db.delete(billLine);
    expect((await reconcileBilling(db)).problems.map((p) => p.check)).toEqual(expect.arrayContaining(["charge_line", "bill_total"]));
  });
});
