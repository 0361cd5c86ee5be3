import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { eq, sql } from "drizzle-orm";
import { createTestDb } from "@/lib/testing/db";
import type { Database } from "@/lib/db/types";
import { auditLog, authSession, smsLockout, supportApproval, usage } from "@/lib/db/schema";
import { ensurePersonalWallet, getBalance, reconcileLedger } from "@/lib/ledger";
import { createSession } from "@/lib/auth/accounts";
import { getLockout } from "@/lib/auth/otp";
import { GOODWILL_APPROVAL_CAP } from "./config";
import { clearCodeLockout, decideApproval, grantGoodwill, refundUsageRow, releaseStuckHold, signOutEverywhere, unmaskPhone, type StaffCtx } from "./actions";
import { listAudit } from "./audit";
import { makeUser, recordUsage } from "@/lib/testing/support";
import { embeddedCarrier } from "@/lib/billing/carrier";

const now = new Date("2026-11-20T10:00:00+08:00");
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
  idempotencyKey: `form-${++n}`,
  now,
  ...extra,
});

async function balance(userId: string) {
  const w = await ensurePersonalWallet(db, { userId });
  return getBalance(db, { walletId: w.id, now });
}

async function auditRows(action: string) {
  return db.select().from(auditLog).where(eq(auditLog.action, action));
}

beforeEach(async () => {
  ({ db, close } = await createTestDb());
  staff = await makeUser(db, { phone: "13900000000", name: "客服小刘", role: "support", now });
  staff2 = await makeUser(db, { phone: "13900000009", name: "客服小王", role: "support", now });
  customer = await makeUser(db, { phone: "13800000001", name: "张伟", now });
});
afterEach(async () => {
  expect((await reconcileLedger(db)).problems).toEqual([]);
  await close();
});

describe("goodwill credit", () => {
  it("adds a credit bucket through the ledger and writes one audit row with before/after", async () => {
    const before = await balance(customer);
    const r = await grantGoodwill(db, { targetUserId: customer, amount: 1_000_000n, ...ctx(staff, { idempotencyKey: "form-credit-1" }) });
    expect(r.status).toBe("credited");
    const after = await balance(customer);
    expect(after.available - before.available).toBe(1_000_000n);
    expect(after.buckets.some((b) => b.kind === "credit" && b.granted === 1_000_000n)).toBe(true);
    const rows = await auditRows("goodwill_credit");
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actorUserId: staff, targetUserId: customer, reasonCode: "goodwill", note: "test" });
    expect(rows[0]!.before).toMatchObject({ available: before.available.toString(), amount: "1000000" });
    expect(rows[0]!.after).toMatchObject({ available: after.available.toString() });
  });

  it("is idempotent: the same form key credits once and logs once", async () => {
    const c = ctx(staff, { idempotencyKey: "form-credit-replay" });
    await grantGoodwill(db, { targetUserId: customer, amount: 300_000n, ...c });
    const again = await grantGoodwill(db, { targetUserId: customer, amount: 300_000n, ...c });
    expect(again.replayed).toBe(true);
    expect((await balance(customer)).available).toBe(800_000n);
    expect(await auditRows("goodwill_credit")).toHaveLength(1);
  });

  it("refuses a key reused for another action", async () => {
    const c = ctx(staff, { idempotencyKey: "form-shared" });
    await grantGoodwill(db, { targetUserId: customer, amount: 1000n, ...c });
    await expect(signOutEverywhere(db, { targetUserId: customer, ...c })).rejects.toMatchObject({ code: "idempotency_conflict" });
  });

  it("refuses zero, negative and oversized amounts", async () => {
    for (const amount of [0n, -5n, 10n ** 12n]) {
      await expect(grantGoodwill(db, { targetUserId: customer, amount, ...ctx(staff) })).rejects.toMatchObject({ code: "invalid_amount" });
    }
    expect(await db.select().from(auditLog)).toHaveLength(0);
  });
});

describe("approval of large credits", () => {
  it("above the cap waits for a second staff member; the requester cannot approve it", async () => {
    const before = await balance(customer);
    const amount = GOODWILL_APPROVAL_CAP + 1n;
    const r = await grantGoodwill(db, { targetUserId: customer, amount, ...ctx(staff) });
    expect(r.status).toBe("pending_approval");
    if (r.status !== "pending_approval") return;
    expect((await balance(customer)).available).toBe(before.available);
    expect(await auditRows("goodwill_credit_requested")).toHaveLength(1);

    await expect(decideApproval(db, { approvalId: r.approvalId, decision: "approve", ...ctx(staff) })).rejects.toMatchObject({ code: "cannot_approve_own" });
    expect((await balance(customer)).available).toBe(before.available);

    const ok = await decideApproval(db, { approvalId: r.approvalId, decision: "approve", ...ctx(staff2) });
    expect(ok.status).toBe("approved");
    expect((await balance(customer)).available).toBe(before.available + amount);
    const [row] = await db.select().from(supportApproval).where(eq(supportApproval.id, r.approvalId));
    expect(row).toMatchObject({ status: "approved", decidedBy: staff2 });
    const [approved] = await auditRows("goodwill_credit_approved");
    expect(approved).toMatchObject({ actorUserId: staff2, targetUserId: customer });
    expect(approved!.after).toMatchObject({ status: "approved", available: (before.available + amount).toString() });

    // A second decision (another form) cannot grant it again.
    await expect(decideApproval(db, { approvalId: r.approvalId, decision: "approve", ...ctx(staff2) })).rejects.toMatchObject({
      code: "approval_already_decided",
    });
    expect((await balance(customer)).available).toBe(before.available + amount);
  });

  it("exactly at the cap is granted at once", async () => {
    const r = await grantGoodwill(db, { targetUserId: customer, amount: GOODWILL_APPROVAL_CAP, ...ctx(staff) });
    expect(r.status).toBe("credited");
  });

  it("a rejected request grants nothing", async () => {
    const before = await balance(customer);
    const r = await grantGoodwill(db, { targetUserId: customer, amount: GOODWILL_APPROVAL_CAP * 2n, ...ctx(staff) });
    if (r.status !== "pending_approval") throw new Error("expected pending");
    await decideApproval(db, { approvalId: r.approvalId, decision: "reject", ...ctx(staff2, { reasonCode: "other" }) });
    expect((await balance(customer)).available).toBe(before.available);
    expect(await auditRows("goodwill_credit_rejected")).toHaveLength(1);
  });
});

describe("refund one usage row", () => {
  it("returns the plan tokens, marks the row refunded, audits it, and refuses a second refund", async () => {
    const u = await recordUsage(db, { userId: customer, now, key: "r1" });
    const before = await balance(customer);
    await refundUsageRow(db, { targetUserId: customer, usageId: u.usageId!, ...ctx(staff, { reasonCode: "wrong_charge" }) });
    const after = await balance(customer);
    expect(after.available - before.available).toBe(u.planTokens);
    const [row] = await db.select().from(usage).where(eq(usage.id, u.usageId!));
    expect(row!.refundedAt).not.toBeNull();
    const [a] = await auditRows("refund_usage");
    expect(a).toMatchObject({ reasonCode: "wrong_charge", targetUserId: customer });
    expect(a!.before).toMatchObject({ usageId: u.usageId, refunded: false, planTokens: u.planTokens.toString() });
    expect(a!.after).toMatchObject({ refunded: true, available: after.available.toString() });
    await expect(refundUsageRow(db, { targetUserId: customer, usageId: u.usageId!, ...ctx(staff) })).rejects.toMatchObject({ code: "already_refunded" });
    expect(await auditRows("refund_usage")).toHaveLength(1);
  });

  it("refuses a usage row of another account", async () => {
    const other = await makeUser(db, { phone: "13800000002", name: "李娜", now });
    const u = await recordUsage(db, { userId: other, now, key: "r2" });
    await expect(refundUsageRow(db, { targetUserId: customer, usageId: u.usageId!, ...ctx(staff) })).rejects.toMatchObject({ code: "usage_not_found" });
    expect(await db.select().from(auditLog)).toHaveLength(0);
  });
});

describe("release a stuck hold", () => {
  it("releases an expired hold back to available, audited; a live one is refused", async () => {
    const live = await recordUsage(db, { userId: customer, now, key: "live", settleIt: false, ttlSeconds: 600 });
    await expect(releaseStuckHold(db, { targetUserId: customer, holdId: live.holdId, ...ctx(staff) })).rejects.toMatchObject({ code: "hold_not_stuck" });

    const later = new Date(now.getTime() + 20 * 60_000);
    const before = await balance(customer);
    expect(before.held).toBeGreaterThan(0n);
    await releaseStuckHold(db, { targetUserId: customer, holdId: live.holdId, ...ctx(staff, { now: later, reasonCode: "service_outage" }) });
    const after = await balance(customer);
    expect(after.held).toBe(0n);
    expect(after.available).toBe(before.available + before.held);
    const [a] = await auditRows("release_hold");
    expect(a!.before).toMatchObject({ holdId: live.holdId, state: "open", held: before.held.toString() });
    expect(a!.after).toMatchObject({ state: "released", held: "0" });
  });
});

describe("sign-in actions", () => {
  it("clears a code lockout, audited with the lock it lifted", async () => {
    const until = new Date(now.getTime() + 10 * 60_000);
    await db.insert(smsLockout).values({ phone: "13800000001", lockedUntil: until, createdAt: now });
    await clearCodeLockout(db, { targetUserId: customer, ...ctx(staff, { reasonCode: "identity_verified" }) });
    expect(await getLockout(db, { phone: "13800000001", now })).toBeNull();
    const [a] = await auditRows("clear_lockout");
    expect(a!.before).toEqual({ lockedUntil: until.toISOString() });
    expect(a!.after).toMatchObject({ lockedUntil: null, cleared: true });
  });

  it("signs the user out everywhere", async () => {
    await createSession(db, { userId: customer, now });
    await createSession(db, { userId: customer, now });
    await signOutEverywhere(db, { targetUserId: customer, ...ctx(staff, { reasonCode: "security_concern" }) });
    const live = await db.select().from(authSession).where(sql`${authSession.userId} = ${customer} and ${authSession.revokedAt} is null`);
    expect(live).toHaveLength(0);
    const [a] = await auditRows("sign_out_everywhere");
    expect(a!.before).toEqual({ liveSessions: 2 });
    expect(a!.after).toMatchObject({ liveSessions: 0, revoked: 2 });
  });
});

describe("unmasking a phone", () => {
  it("returns the number and writes an audit row without copying the number into it", async () => {
    const r = await unmaskPhone(db, { targetUserId: customer, ...ctx(staff, { reasonCode: "identity_verified", note: "caller verified" }) });
    expect(r.phone).toBe("13800000001");
    const rows = await auditRows("unmask_phone");
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actorUserId: staff, targetUserId: customer, reasonCode: "identity_verified", note: "caller verified" });
    expect(JSON.stringify(rows[0])).not.toContain("13800000001");
  });
});

describe("the audit log", () => {
  it("is append-only in the database: UPDATE, DELETE and TRUNCATE are refused", async () => {
    await unmaskPhone(db, { targetUserId: customer, ...ctx(staff) });
    const refused = async (q: PromiseLike<unknown>) => {
      const err = await Promise.resolve(q).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err, "the database must refuse").not.toBeNull();
      const chain = [err, (err as { cause?: unknown }).cause].map((e) => String((e as Error)?.message ?? e)).join(" | ");
      expect(chain).toMatch(/audit_log is append-only/);
    };
    await refused(db.execute(sql`update audit_log set note = 'changed'`));
    await refused(db.update(auditLog).set({ reasonCode: "other" }));
    await refused(db.delete(auditLog));
    await refused(db.execute(sql`truncate audit_log`));
    const rows = await db.select().from(auditLog);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.note).toBe("test");
  });

  it("lists per account and globally with filters, newest first", async () => {
    const other = await makeUser(db, { phone: "13800000002", name: "李娜", now });
    await unmaskPhone(db, { targetUserId: customer, ...ctx(staff) });
    await grantGoodwill(db, { targetUserId: other, amount: 1000n, ...ctx(staff2, { now: new Date(now.getTime() + 1000) }) });
    expect(await listAudit(db, { targetUserId: customer })).toHaveLength(1);
    expect(await listAudit(db, { actorUserId: staff2 })).toMatchObject([
      { action: "goodwill_credit", target: { maskedPhone: "138****0002" }, actor: { name: "客服小王" } },
    ]);
    expect(await listAudit(db, { action: "unmask_phone" })).toHaveLength(1);
    const all = await listAudit(db);
    expect(all.map((a) => a.action)).toEqual(["goodwill_credit", "unmask_phone"]);
    expect(await listAudit(db, { from: new Date(now.getTime() + 500) })).toHaveLength(1);
  });
});

describe("lookup query parsing", () => {
  it("tells phones, last 4 digits, ids and charge ids apart", async () => {
    const { parseLookupQuery } = await import("./lookup");
    expect(parseLookupQuery("138 0000 0001")).toEqual({ kind: "phone", phone: "13800000001" });
    expect(parseLookupQuery("+86 138-0000-0001")).toEqual({ kind: "phone", phone: "13800000001" });
    expect(parseLookupQuery(" 0001 ")).toEqual({ kind: "last4", digits: "0001" });
    expect(parseLookupQuery("AECD2EC7-F4AF-426D-9585-476981F28139")).toEqual({ kind: "uuid", id: "aecd2ec7-f4af-426d-9585-476981f28139" });
    expect(parseLookupQuery("plan:abc:v0")).toEqual({ kind: "charge", id: "plan:abc:v0" });
    expect(parseLookupQuery("12")).toBeNull();
  });
});

describe("plan changes on the customer's behalf", () => {
  it("subscribes/upgrades through lib/plans with a charge, then cancels at cycle end; both audited and findable by charge id", async () => {
    const { changePlanForUser, cancelPlanForUser, sendPurchaseCodeForUser } = await import("./plan");
    const { lookupAccounts } = await import("./lookup");
    const { subscription } = await import("@/lib/db/schema");
    // Paid changes are confirmed by the customer with the code texted to them.
    const texts: string[] = [];
    const otp = { sender: { send: async (m: { body: string }) => void texts.push(m.body) }, pepper: "p", ip: null, ipHourlyLimit: 100 };
    const confirm = async (tierId: string, at: Date) => {
      await sendPurchaseCodeForUser(db, { targetUserId: customer, tierId, otp, ...ctx(staff, { now: at }) });
      return { purchaseCode: /(\d{6})/.exec(texts.at(-1)!)![1]!, otp: { pepper: "p", ip: null } };
    };
    const before = await balance(customer);
    const r = await changePlanForUser(db, {
      carrier: embeddedCarrier,
      targetUserId: customer,
      tierId: "t399",
      ...(await confirm("t399", now)),
      ...ctx(staff, { reasonCode: "customer_request" }),
    });
    expect(r.outcome).toBe("subscribed");
    const after = await balance(customer);
    expect(after.available - before.available).toBe(5_500_000n); // first month: 11 of 30 days of 1500万
    const [a] = await auditRows("change_plan");
    expect(a!.before).toMatchObject({ status: "none", tierId: null });
    expect(a!.after).toMatchObject({ status: "active", tierId: "t399", outcome: "subscribed" });
    const chargeId = (a!.after as { chargeId: string }).chargeId;
    expect(await lookupAccounts(db, { query: chargeId })).toMatchObject([{ userId: customer, matchedBy: "charge_id" }]);

    const later = new Date(now.getTime() + 61_000);
    const up = await changePlanForUser(db, {
      carrier: embeddedCarrier,
      targetUserId: customer,
      tierId: "t999",
      ...(await confirm("t999", later)),
      ...ctx(staff, { now: later }),
    });
    expect(up.outcome).toBe("upgraded");
    const [sub1] = await db.select().from(subscription).where(eq(subscription.userId, customer));
    expect(sub1!.tierId).toBe("t999");

    await cancelPlanForUser(db, { targetUserId: customer, ...ctx(staff, { reasonCode: "customer_request" }) });
    const [sub] = await db.select().from(subscription).where(eq(subscription.userId, customer));
    expect(sub).toMatchObject({ status: "active", scheduledAction: "cancel" });
    const [c] = await auditRows("cancel_plan");
    expect(c!.before).toMatchObject({ scheduledAction: null });
    expect(c!.after).toMatchObject({ scheduledAction: "cancel", outcome: "cancel_scheduled" });
    // A second cancel is refused by lib/plans and leaves no audit row.
    await expect(cancelPlanForUser(db, { targetUserId: customer, ...ctx(staff) })).rejects.toMatchObject({ code: "already_scheduled" });
    expect(await auditRows("cancel_plan")).toHaveLength(1);
  });
});
