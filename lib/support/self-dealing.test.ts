import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { createTestDb } from "@/lib/testing/db";
import type { Database } from "@/lib/db/types";
import { auditLog, carrierCharge, subscription, supportApproval, walletMember } from "@/lib/db/schema";
import { createFamilyWallet, ensurePersonalWallet, getBalance, grant, reconcileLedger } from "@/lib/ledger";
import { meteredRequest } from "@/lib/testing/ledger";
import { cycleOf } from "@/lib/core/cycle";
import type { SmsSender } from "@/lib/sms";
import { GOODWILL_APPROVAL_CAP, GOODWILL_DAILY_ACCOUNT_LIMIT, GOODWILL_DAILY_STAFF_LIMIT } from "./config";
import { decideApproval, grantGoodwill, refundUsageRow, releaseStuckHold, type StaffCtx } from "./actions";
import * as plan from "./plan";
import { makeUser, recordUsage } from "@/lib/testing/support";
import { embeddedCarrier } from "@/lib/billing/carrier";

// Staff cannot pay themselves: no credit, refund, hold release or plan change for their own
// account or a family pool they spend from, no approving a credit they benefit from; small
// credits add up per day to the second-approver path; a purchase on a customer's behalf needs
// the code texted to the customer.

const now = new Date("2026-11-20T10:00:00+08:00");
const PEPPER = "test-pepper";
let db: Database;
let close: () => Promise<void>;
let staff: string;
let staff2: string;
let customer: string;
let n = 0;

const ctx = (actorUserId: string, extra: Partial<StaffCtx> = {}): StaffCtx => ({
  actorUserId,
  reasonCode: "goodwill",
  note: "test",
  idempotencyKey: `sd-form-${++n}`,
  now,
  ...extra,
});
const personal = async (userId: string) => (await ensurePersonalWallet(db, { userId })).id;
const available = async (walletId: string, at = now) => (await getBalance(db, { walletId, now: at })).available;
const auditRows = (action: string) => db.select().from(auditLog).where(eq(auditLog.action, action));
// The customer's phone: every text staff have sent, whole, as the customer reads it.
let inbox: { phone: string; body: string; kind: string }[] = [];
const phoneSender: SmsSender = { send: async (m) => void inbox.push({ phone: m.phone, body: m.body, kind: m.kind }) };
const sms = () => ({ sender: phoneSender, pepper: PEPPER, ip: "10.0.0.1", ipHourlyLimit: 1000 });
const check = { pepper: PEPPER, ip: "10.0.0.1" };

/** A family wallet headed by `ownerId` with `memberId` as an active member; tokens in the pool. */
async function familyOf(ownerId: string, memberId: string) {
  const w = await createFamilyWallet(db, { ownerUserId: ownerId });
  await db.insert(walletMember).values({ walletId: w.id, userId: memberId, role: "member" });
  await grant(db, {
    walletId: w.id,
    kind: "allowance",
    amount: 1_000_000n,
    expiresAt: new Date(now.getTime() + 20 * 86_400_000),
    source: "plan:test",
    cycle: cycleOf(now),
    idempotencyKey: `fam:${w.id}`,
  });
  return w.id;
}

/** The newest purchase code texted to `phone`, as the customer would read it out. */
function codeTexted(phone: string) {
  const m = inbox.filter((x) => x.phone === phone && x.kind === "purchase").at(-1);
  return /(\d{6})/.exec(m?.body ?? "")?.[1] ?? null;
}

beforeEach(async () => {
  inbox = [];
  ({ db, close } = await createTestDb());
  staff = await makeUser(db, { phone: "13900000000", name: "客服小刘", role: "support", now });
  staff2 = await makeUser(db, { phone: "13900000009", name: "客服小王", role: "support", now });
  customer = await makeUser(db, { phone: "13800000001", name: "张伟", now });
});
afterEach(async () => {
  expect((await reconcileLedger(db)).problems).toEqual([]);
  await close();
});

describe("no credit to oneself", () => {
  it("refuses a goodwill credit to the staff member's own account, small or large, and audits the attempt", async () => {
    const w = await personal(staff);
    const before = await available(w);
    for (const amount of [1_000n, GOODWILL_APPROVAL_CAP, GOODWILL_APPROVAL_CAP * 4n]) {
      await expect(grantGoodwill(db, { targetUserId: staff, amount, ...ctx(staff) })).rejects.toMatchObject({ code: "self_dealing" });
    }
    expect(await available(w)).toBe(before);
    expect(await db.select().from(supportApproval)).toHaveLength(0);
    expect(await auditRows("goodwill_credit")).toHaveLength(0);
    const refused = await auditRows("self_dealing_refused");
    expect(refused).toHaveLength(3);
    expect(refused[0]).toMatchObject({ actorUserId: staff, targetUserId: staff });
    expect(refused[0]!.before).toMatchObject({ attempted: "goodwill_credit", walletId: w });
    expect(refused[0]!.after).toMatchObject({ refused: "self_dealing" });
  });

  it("today's 4 × 5M credits to oneself are refused, not granted without approval", async () => {
    const w = await personal(staff);
    const before = await available(w);
    for (let i = 0; i < 4; i++) {
      await expect(grantGoodwill(db, { targetUserId: staff, amount: 5_000_000n, ...ctx(staff) })).rejects.toMatchObject({ code: "self_dealing" });
    }
    expect(await available(w)).toBe(before);
  });

  it("refuses a credit into a family pool the staff member spends from (as member or as owner)", async () => {
    const fam = await familyOf(customer, staff);
    const before = await available(fam);
    await expect(grantGoodwill(db, { targetUserId: customer, walletId: fam, amount: 1_000n, ...ctx(staff) })).rejects.toMatchObject({ code: "self_dealing" });
    expect(await available(fam)).toBe(before);
    // The owner's personal wallet is not the staff member's to spend: that credit is fine.
    expect((await grantGoodwill(db, { targetUserId: customer, amount: 1_000n, ...ctx(staff) })).status).toBe("credited");
    // Another staff member may credit the family pool.
    expect((await grantGoodwill(db, { targetUserId: customer, walletId: fam, amount: 1_000n, ...ctx(staff2) })).status).toBe("credited");

    const ownFam = await familyOf(staff, customer);
    await expect(grantGoodwill(db, { targetUserId: staff, walletId: ownFam, amount: 1_000n, ...ctx(staff) })).rejects.toMatchObject({ code: "self_dealing" });
    expect(await auditRows("self_dealing_refused")).toHaveLength(2);
  });

  it("a removed member no longer benefits from the pool", async () => {
    const fam = await familyOf(customer, staff);
    await db
      .update(walletMember)
      .set({ status: "removed", removedAt: now })
      .where(and(eq(walletMember.walletId, fam), eq(walletMember.userId, staff)));
    expect((await grantGoodwill(db, { targetUserId: customer, walletId: fam, amount: 1_000n, ...ctx(staff) })).status).toBe("credited");
  });
});

describe("no refund or hold release to oneself", () => {
  it("refuses refunding the staff member's own usage, audited", async () => {
    await makeUser(db, { phone: "13900000005", name: "x", now }); // keeps ids apart
    const w = await personal(staff);
    await grant(db, {
      walletId: w,
      kind: "allowance",
      amount: 100_000n,
      expiresAt: new Date(now.getTime() + 86_400_000),
      source: "plan:test",
      cycle: cycleOf(now),
      idempotencyKey: "staff-allow",
    });
    const u = await recordUsage(db, { userId: staff, now, key: "own" });
    const before = await available(w);
    await expect(refundUsageRow(db, { targetUserId: staff, usageId: u.usageId!, ...ctx(staff, { reasonCode: "wrong_charge" }) })).rejects.toMatchObject({
      code: "self_dealing",
    });
    expect(await available(w)).toBe(before);
    const [r] = await auditRows("self_dealing_refused");
    expect(r!.before).toMatchObject({ attempted: "refund_usage", usageId: u.usageId });
    expect(await auditRows("refund_usage")).toHaveLength(0);
  });

  it("refuses refunding the family owner's usage paid from a pool the staff member belongs to", async () => {
    const fam = await familyOf(customer, staff);
    const u = await meteredRequest(db, { walletId: fam, userId: customer, amount: 10_000n, now, modelId: "deepseek-chat" });
    if (!u.ok || !u.usageId) throw new Error("usage not recorded");
    await expect(refundUsageRow(db, { targetUserId: customer, usageId: u.usageId, ...ctx(staff) })).rejects.toMatchObject({ code: "self_dealing" });
    // A colleague can do it.
    await refundUsageRow(db, { targetUserId: customer, usageId: u.usageId, ...ctx(staff2) });
    expect(await auditRows("refund_usage")).toHaveLength(1);
  });

  it("refuses releasing a stuck hold on the staff member's own wallet", async () => {
    const w = await personal(staff);
    await grant(db, {
      walletId: w,
      kind: "allowance",
      amount: 100_000n,
      expiresAt: new Date(now.getTime() + 86_400_000),
      source: "plan:test",
      cycle: cycleOf(now),
      idempotencyKey: "staff-allow-2",
    });
    const h = await recordUsage(db, { userId: staff, now: new Date(now.getTime() - 3_600_000), key: "stuck-own", settleIt: false, ttlSeconds: 60 });
    await expect(releaseStuckHold(db, { targetUserId: staff, holdId: h.holdId, ...ctx(staff) })).rejects.toMatchObject({ code: "self_dealing" });
    expect((await getBalance(db, { walletId: w, now })).held).toBeGreaterThan(0n);
    await releaseStuckHold(db, { targetUserId: staff, holdId: h.holdId, ...ctx(staff2) });
  });
});

describe("no approving a credit one benefits from", () => {
  it("a colleague's request for the approver's own account cannot be approved by the beneficiary", async () => {
    const w = await personal(staff);
    const before = await available(w);
    const r = await grantGoodwill(db, { targetUserId: staff, amount: GOODWILL_APPROVAL_CAP * 2n, ...ctx(staff2) });
    if (r.status !== "pending_approval") throw new Error("expected pending");
    await expect(decideApproval(db, { approvalId: r.approvalId, decision: "approve", ...ctx(staff) })).rejects.toMatchObject({ code: "self_dealing" });
    expect(await available(w)).toBe(before);
    const [row] = await db.select().from(supportApproval).where(eq(supportApproval.id, r.approvalId));
    expect(row!.status).toBe("pending");
    const [refused] = await auditRows("self_dealing_refused");
    expect(refused!.before).toMatchObject({ attempted: "goodwill_credit_approved", approvalId: r.approvalId });
  });

  it("nor one into a family pool the approver spends from", async () => {
    const third = await makeUser(db, { phone: "13900000007", name: "客服小陈", role: "support", now });
    const fam = await familyOf(customer, staff);
    const r = await grantGoodwill(db, { targetUserId: customer, walletId: fam, amount: GOODWILL_APPROVAL_CAP * 2n, ...ctx(staff2) });
    if (r.status !== "pending_approval") throw new Error("expected pending");
    await expect(decideApproval(db, { approvalId: r.approvalId, decision: "approve", ...ctx(staff) })).rejects.toMatchObject({ code: "self_dealing" });
    expect((await decideApproval(db, { approvalId: r.approvalId, decision: "approve", ...ctx(third) })).status).toBe("approved");
  });
});

describe("daily totals force the second approver", () => {
  it("per account: credits past the day's total for one account wait for approval", async () => {
    const per = 5_000_000n;
    expect(GOODWILL_DAILY_ACCOUNT_LIMIT % per).toBe(0n);
    const w = await personal(customer);
    const before = await available(w);
    const fits = Number(GOODWILL_DAILY_ACCOUNT_LIMIT / per);
    for (let i = 0; i < fits; i++) {
      const actor = i % 2 === 0 ? staff : staff2;
      expect((await grantGoodwill(db, { targetUserId: customer, amount: per, ...ctx(actor) })).status).toBe("credited");
    }
    const over = await grantGoodwill(db, { targetUserId: customer, amount: 1_000n, ...ctx(staff) });
    expect(over).toMatchObject({ status: "pending_approval", approvalReason: "daily_account_total" });
    expect(await available(w)).toBe(before + GOODWILL_DAILY_ACCOUNT_LIMIT);
    const [req] = await auditRows("goodwill_credit_requested");
    expect(req!.after).toMatchObject({ approvalReason: "daily_account_total", status: "pending" });
  });

  it("per staff member: credits past the day's total across accounts wait for approval", async () => {
    const per = 5_000_000n;
    const fits = Number(GOODWILL_DAILY_STAFF_LIMIT / per);
    for (let i = 0; i < fits; i++) {
      const c = await makeUser(db, { phone: `1370000000${i}`, name: `顾客${i}`, now });
      expect((await grantGoodwill(db, { targetUserId: c, amount: per, ...ctx(staff) })).status).toBe("credited");
    }
    const next = await makeUser(db, { phone: "13700000099", name: "顾客x", now });
    expect(await grantGoodwill(db, { targetUserId: next, amount: 1_000n, ...ctx(staff) })).toMatchObject({
      status: "pending_approval",
      approvalReason: "daily_staff_total",
    });
    // A colleague is not held back by this staff member's total.
    expect((await grantGoodwill(db, { targetUserId: next, amount: 1_000n, ...ctx(staff2) })).status).toBe("credited");
  });

  it("counts Asia/Shanghai days, not UTC days", async () => {
    // 00:30 and 23:30 in Shanghai are one Shanghai day but two UTC days.
    const early = new Date("2026-11-20T00:30:00+08:00");
    const late = new Date("2026-11-20T23:30:00+08:00");
    const nextDay = new Date("2026-11-21T00:10:00+08:00"); // same UTC day as `late`
    expect((await grantGoodwill(db, { targetUserId: customer, amount: GOODWILL_DAILY_ACCOUNT_LIMIT / 2n, ...ctx(staff, { now: early }) })).status).toBe(
      "credited",
    );
    expect((await grantGoodwill(db, { targetUserId: customer, amount: GOODWILL_DAILY_ACCOUNT_LIMIT / 2n, ...ctx(staff, { now: late }) })).status).toBe(
      "credited",
    );
    expect((await grantGoodwill(db, { targetUserId: customer, amount: 1n, ...ctx(staff, { now: late }) })).status).toBe("pending_approval");
    expect((await grantGoodwill(db, { targetUserId: customer, amount: GOODWILL_DAILY_ACCOUNT_LIMIT / 2n, ...ctx(staff, { now: nextDay }) })).status).toBe(
      "credited",
    );
  });

  it("a replayed form does not count twice", async () => {
    const c = ctx(staff);
    await grantGoodwill(db, { targetUserId: customer, amount: 3_000_000n, ...c });
    expect(await grantGoodwill(db, { targetUserId: customer, amount: 3_000_000n, ...c })).toMatchObject({ status: "credited", replayed: true });
    // 3M + 5M fits in the account's 10M; had the replay counted, 11M would not.
    expect((await grantGoodwill(db, { targetUserId: customer, amount: 5_000_000n, ...ctx(staff) })).status).toBe("credited");
    const forced = ctx(staff);
    const first = await grantGoodwill(db, { targetUserId: customer, amount: 5_000_000n, ...forced });
    expect(first).toMatchObject({ status: "pending_approval", approvalReason: "daily_account_total" });
    expect(await grantGoodwill(db, { targetUserId: customer, amount: 5_000_000n, ...forced })).toMatchObject({
      status: "pending_approval",
      replayed: true,
      approvalReason: "daily_account_total",
    });
    expect(await db.select().from(supportApproval)).toHaveLength(1);
  });
});

describe("plan changes on one's own account", () => {
  it("refuses changing or cancelling the staff member's own plan, audited", async () => {
    await expect(plan.changePlanForUser(db, { carrier: embeddedCarrier, targetUserId: staff, tierId: "t399", ...ctx(staff) })).rejects.toMatchObject({
      code: "self_dealing",
    });
    await expect(plan.cancelPlanForUser(db, { targetUserId: staff, ...ctx(staff) })).rejects.toMatchObject({ code: "self_dealing" });
    expect(await db.select().from(subscription).where(eq(subscription.userId, staff))).toHaveLength(0);
    const refused = await auditRows("self_dealing_refused");
    expect(refused.map((r) => (r.before as { attempted: string }).attempted).sort()).toEqual(["cancel_plan", "change_plan"]);
  });

  it("refuses changing the plan of a family owner whose pool the staff member spends from", async () => {
    await familyOf(customer, staff);
    await expect(plan.changePlanForUser(db, { carrier: embeddedCarrier, targetUserId: customer, tierId: "t1999", ...ctx(staff) })).rejects.toMatchObject({
      code: "self_dealing",
    });
  });

  it("refuses texting a purchase code for the staff member's own purchase", async () => {
    await expect(plan.sendPurchaseCodeForUser(db, { targetUserId: staff, tierId: "t399", otp: sms(), ...ctx(staff) })).rejects.toMatchObject({
      code: "self_dealing",
    });
    expect(inbox).toHaveLength(0);
  });
});

describe("a purchase on the customer's behalf needs the customer's code", () => {
  it("without a code a subscribe is refused (audited) and nothing is charged", async () => {
    await expect(plan.changePlanForUser(db, { carrier: embeddedCarrier, targetUserId: customer, tierId: "t399", ...ctx(staff) })).rejects.toMatchObject({
      code: "purchase_code_required",
    });
    expect(await db.select().from(carrierCharge)).toHaveLength(0);
    expect(await db.select().from(subscription)).toHaveLength(0);
    const [r] = await auditRows("purchase_code_rejected");
    expect(r).toMatchObject({ actorUserId: staff, targetUserId: customer });
    expect(r!.before).toMatchObject({ tierId: "t399", kind: "subscribe" });
    expect(r!.after).toMatchObject({ refused: "purchase_code_required" });
    expect(await auditRows("change_plan")).toHaveLength(0);
  });

  it("texts a code to the customer (audited, no number or code in the log); the code read back confirms the purchase", async () => {
    const sent = await plan.sendPurchaseCodeForUser(db, {
      targetUserId: customer,
      tierId: "t399",
      otp: sms(),
      ...ctx(staff, { reasonCode: "customer_request" }),
    });
    expect(sent.expiresAt.getTime()).toBeGreaterThan(now.getTime());
    const code = codeTexted("13800000001");
    expect(code).toMatch(/^\d{6}$/);
    const [s] = await auditRows("purchase_code_sent");
    expect(s).toMatchObject({ actorUserId: staff, targetUserId: customer, reasonCode: "customer_request" });
    expect(s!.before).toMatchObject({ tierId: "t399", kind: "subscribe", priceFen: "1463" }); // first month: 11 of 30 days of ¥39.90
    expect(JSON.stringify(s)).not.toContain("13800000001");
    expect(JSON.stringify({ before: s!.before, after: s!.after, note: s!.note })).not.toContain(code!);

    // A wrong code: refused, counted, audited.
    const wrong = code === "135792" ? "246801" : "135792";
    await expect(
      plan.changePlanForUser(db, { carrier: embeddedCarrier, targetUserId: customer, tierId: "t399", purchaseCode: wrong, otp: check, ...ctx(staff) }),
    ).rejects.toMatchObject({ code: "invalid_code" });
    const [bad] = await auditRows("purchase_code_rejected");
    expect(bad!.after).toMatchObject({ refused: "invalid_code" });
    expect(JSON.stringify({ before: bad!.before, after: bad!.after, note: bad!.note })).not.toContain(wrong);
    expect(await db.select().from(subscription)).toHaveLength(0);

    const before = await available(await personal(customer));
    const r = await plan.changePlanForUser(db, {
      carrier: embeddedCarrier,
      targetUserId: customer,
      tierId: "t399",
      purchaseCode: code!,
      otp: check,
      ...ctx(staff),
    });
    expect(r.outcome).toBe("subscribed");
    expect((await available(await personal(customer))) - before).toBe(5_500_000n); // first month: 11 of 30 days of 1500万
    const [a] = await auditRows("change_plan");
    expect(a!.after).toMatchObject({ outcome: "subscribed", confirmedBy: "purchase_code" });

    // The code is used up, and it confirmed that plan only: an upgrade needs a fresh code for it.
    await expect(
      plan.changePlanForUser(db, { carrier: embeddedCarrier, targetUserId: customer, tierId: "t999", purchaseCode: code!, otp: check, ...ctx(staff) }),
    ).rejects.toMatchObject({ code: "purchase_code_other_plan" });
    const later = new Date(now.getTime() + 61_000);
    await plan.sendPurchaseCodeForUser(db, { targetUserId: customer, tierId: "t999", otp: sms(), ...ctx(staff, { now: later }) });
    const fresh = codeTexted("13800000001")!;
    if (fresh !== code) {
      await expect(
        plan.changePlanForUser(db, {
          carrier: embeddedCarrier,
          targetUserId: customer,
          tierId: "t999",
          purchaseCode: code!,
          otp: check,
          ...ctx(staff, { now: later }),
        }),
      ).rejects.toMatchObject({ code: "invalid_code" });
    }
    const [sub] = await db.select().from(subscription).where(eq(subscription.userId, customer));
    expect(sub!.tierId).toBe("t399");
    expect(
      (
        await plan.changePlanForUser(db, {
          carrier: embeddedCarrier,
          targetUserId: customer,
          tierId: "t999",
          purchaseCode: fresh,
          otp: check,
          ...ctx(staff, { now: later }),
        })
      ).outcome,
    ).toBe("upgraded");
  });

  it("free actions need no code: downgrade at cycle end, undo, cancel; a code for them is refused", async () => {
    const c1 = ctx(staff);
    await plan.sendPurchaseCodeForUser(db, { targetUserId: customer, tierId: "t999", otp: sms(), ...c1 });
    await plan.changePlanForUser(db, {
      carrier: embeddedCarrier,
      targetUserId: customer,
      tierId: "t999",
      purchaseCode: codeTexted("13800000001")!,
      otp: check,
      ...ctx(staff),
    });
    await expect(plan.sendPurchaseCodeForUser(db, { targetUserId: customer, tierId: "t399", otp: sms(), ...ctx(staff) })).rejects.toMatchObject({
      code: "purchase_code_not_needed",
    });
    expect((await plan.changePlanForUser(db, { carrier: embeddedCarrier, targetUserId: customer, tierId: "t399", ...ctx(staff) })).outcome).toBe(
      "downgrade_scheduled",
    );
    expect((await plan.changePlanForUser(db, { carrier: embeddedCarrier, targetUserId: customer, tierId: "t999", ...ctx(staff) })).outcome).toBe("undone");
    await plan.cancelPlanForUser(db, { targetUserId: customer, ...ctx(staff) });
    const [sub] = await db.select().from(subscription).where(eq(subscription.userId, customer));
    expect(sub).toMatchObject({ tierId: "t999", scheduledAction: "cancel" });
    expect(await db.select().from(carrierCharge).where(eq(carrierCharge.userId, customer))).toHaveLength(1);
  });

  it("the code is the customer's: a code texted to another phone does not confirm", async () => {
    const other = await makeUser(db, { phone: "13800000002", name: "李娜", now });
    await plan.sendPurchaseCodeForUser(db, { targetUserId: other, tierId: "t399", otp: sms(), ...ctx(staff) });
    const code = codeTexted("13800000002")!;
    await expect(
      plan.changePlanForUser(db, { carrier: embeddedCarrier, targetUserId: customer, tierId: "t399", purchaseCode: code, otp: check, ...ctx(staff) }),
    ).rejects.toMatchObject({ code: "no_code" });
    expect(await db.select().from(subscription)).toHaveLength(0);
  });
});
