import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { eq } from "drizzle-orm";
import { createTestDb } from "@/lib/testing/db";
import type { Database } from "@/lib/db/types";
import { auditLog, message, smsLockout, subscription, supportApproval, usage } from "@/lib/db/schema";
import { createConversation } from "@/lib/chat/conversations";
import { getBalance, ensurePersonalWallet, reconcileLedger } from "@/lib/ledger";
import { getAccountView } from "@/lib/support/account";
import { makeUser, recordUsage } from "@/lib/testing/support";
import { GOODWILL_APPROVAL_CAP } from "@/lib/support/config";
import * as actions from "./support";

// Access to the console's server actions: staff only; subscribers and family owners are told
// nothing exists and change nothing. And no support route reaches conversation content.

let db: Database;
let close: () => Promise<void>;
type Current = { id: string; phone: string; name: string | null; role: "subscriber" | "support"; locale: null; sessionId: string } | null;
let current: Current = null;

vi.mock("@/lib/server/session", () => ({ getCurrentUser: async () => current }));
vi.mock("@/lib/server/db", () => ({ getDb: async () => db }));
vi.mock("next/headers", () => ({ headers: async () => new Headers() }));
vi.mock("next/cache", () => ({ revalidatePath: () => undefined }));
vi.mock("@/auth", () => ({ secret: "test-pepper" }));
// The customer's phone: texts arrive whole here (the recorded copy may mask the code).
const texts: { phone: string; body: string; kind: string }[] = [];
vi.mock("@/lib/server/sms-sender", () => ({
  smsSenderFromEnv: () => ({ send: async (m: { phone: string; body: string; kind: string }) => void texts.push(m) }),
}));

const NOW = new Date();
const SECRET = "我的体检报告显示血糖偏高，帮我写一份饮食计划";
let staff: string, staff2: string, customer: string, owner: string, usageId: string, holdId: string;
let k = 0;
const form = () => ({ reasonCode: "wrong_charge" as const, note: "e2e", idempotencyKey: `key-${++k}-${Date.now()}` });
const as = (id: string, phone: string, role: "subscriber" | "support") => {
  current = { id, phone, name: null, role, locale: null, sessionId: "s" };
};

beforeAll(async () => {
  ({ db, close } = await createTestDb());
  staff = await makeUser(db, { phone: "13900000000", name: "客服小刘", role: "support", now: NOW });
  staff2 = await makeUser(db, { phone: "13900000001", name: "客服小陈", role: "support", now: NOW });
  customer = await makeUser(db, { phone: "13800000001", name: "张伟", now: NOW });
  owner = await makeUser(db, { phone: "13800000003", name: "王芳", now: NOW });
  const conv = await createConversation(db, { userId: customer, title: SECRET.slice(0, 10), modelId: "deepseek-chat", now: NOW });
  await db
    .insert(message)
    .values({ conversationId: conv.id, ownerUserId: customer, role: "user", content: SECRET, modelId: "deepseek-chat", requestId: "req-secret" });
  const u = await recordUsage(db, { userId: customer, now: NOW, key: "a1", conversationId: conv.id });
  usageId = u.usageId!;
  holdId = (await recordUsage(db, { userId: customer, now: new Date(NOW.getTime() - 3_600_000), key: "stuck", settleIt: false, ttlSeconds: 60 })).holdId;
});
afterAll(async () => {
  expect((await reconcileLedger(db)).problems).toEqual([]);
  await close();
});
beforeEach(() => {
  current = null;
});

function everyAction(targetUserId: string) {
  return [
    () => actions.lookupAccountsAction({ query: "13800000001" }),
    () => actions.unmaskPhoneAction({ targetUserId, ...form() }),
    () => actions.goodwillCreditAction({ targetUserId, amount: "1000", ...form() }),
    () => actions.refundUsageAction({ targetUserId, usageId, ...form() }),
    () => actions.releaseHoldAction({ targetUserId, holdId, ...form() }),
    () => actions.changePlanAction({ targetUserId, tierId: "t999", ...form() }),
    () => actions.sendPurchaseCodeAction({ targetUserId, tierId: "t999", ...form() }),
    () => actions.cancelPlanAction({ targetUserId, ...form() }),
    () => actions.clearLockoutAction({ targetUserId, ...form() }),
    () => actions.signOutEverywhereAction({ targetUserId, ...form() }),
    () => actions.decideApprovalAction({ approvalId: "00000000-0000-4000-8000-000000000000", decision: "approve", ...form() }),
  ];
}

describe("support actions refuse everyone but staff", () => {
  it("a subscriber gets not_found from every action and changes nothing", async () => {
    as(customer, "13800000001", "subscriber");
    const before = await getBalance(db, { walletId: (await ensurePersonalWallet(db, { userId: customer })).id, now: NOW });
    for (const call of everyAction(customer)) expect(await call()).toMatchObject({ ok: false, code: "not_found" });
    const after = await getBalance(db, { walletId: (await ensurePersonalWallet(db, { userId: customer })).id, now: NOW });
    expect(after).toEqual(before);
    expect(await db.select().from(auditLog)).toHaveLength(0);
  });

  it("a family owner gets not_found too, also against another account", async () => {
    as(owner, "13800000003", "subscriber");
    for (const call of everyAction(customer)) expect(await call()).toMatchObject({ ok: false, code: "not_found" });
    expect(await db.select().from(auditLog)).toHaveLength(0);
  });

  it("a signed-out caller is refused and changes nothing", async () => {
    for (const call of everyAction(customer)) expect((await call()).ok).toBe(false);
    expect(await db.select().from(auditLog)).toHaveLength(0);
  });
});

describe("staff through the actions", () => {
  it("looks up by last 4 digits + name with masked phones; last 4 alone is refused", async () => {
    as(staff, "13900000000", "support");
    const r = await actions.lookupAccountsAction({ query: "0001", name: "张伟" });
    expect(r).toMatchObject({ ok: true, results: [{ userId: customer, maskedPhone: "138****0001", matchedBy: "phone_last4_name" }] });
    expect(JSON.stringify(r)).not.toContain("13800000001");
    expect(await actions.lookupAccountsAction({ query: "0001" })).toMatchObject({ ok: false, code: "lookup_name_required" });
    expect(await actions.lookupAccountsAction({ query: "0001", name: "李娜" })).toMatchObject({ ok: true, results: [] });
  });

  it("finds the account by account id, bill id, charge id and usage id", async () => {
    as(staff, "13900000000", "support");
    const [u] = await db.select().from(usage).where(eq(usage.id, usageId));
    for (const [query, matchedBy] of [
      [customer, "account_id"],
      [u!.billId, "bill_id"],
      [u!.id, "usage_id"],
      [u!.requestId, "usage_id"],
    ] as const) {
      const r = await actions.lookupAccountsAction({ query });
      expect(r, `${matchedBy} ${query}`).toMatchObject({ ok: true, results: [{ userId: customer, matchedBy }] });
    }
  });

  it("refunds a usage row and unmasks a phone, each audited; invalid input is refused", async () => {
    as(staff, "13900000000", "support");
    expect(await actions.refundUsageAction({ targetUserId: customer, usageId, ...form(), reasonCode: "nope" as "other" })).toMatchObject({
      ok: false,
      code: "invalid_input",
    });
    const f = form();
    expect(await actions.refundUsageAction({ targetUserId: customer, usageId, ...f })).toMatchObject({ ok: true, replayed: false });
    expect(await actions.refundUsageAction({ targetUserId: customer, usageId, ...f })).toMatchObject({ ok: true, replayed: true });
    expect(await actions.unmaskPhoneAction({ targetUserId: customer, ...form() })).toMatchObject({ ok: true, phone: "13800000001" });
    const rows = await db.select().from(auditLog).where(eq(auditLog.targetUserId, customer));
    expect(rows.map((r) => r.action).sort()).toEqual(["refund_usage", "unmask_phone"]);
    expect(rows.every((r) => r.actorUserId === staff)).toBe(true);
  });

  it("a large credit goes through a second staff member, never the requester", async () => {
    as(staff, "13900000000", "support");
    const r = await actions.goodwillCreditAction({ targetUserId: owner, amount: String(GOODWILL_APPROVAL_CAP * 2n), ...form() });
    expect(r).toMatchObject({ ok: true, status: "pending_approval" });
    const approvalId = (r as { approvalId: string }).approvalId;
    expect(await actions.decideApprovalAction({ approvalId, decision: "approve", ...form() })).toMatchObject({ ok: false, code: "cannot_approve_own" });
    as(staff2, "13900000001", "support");
    expect(await actions.decideApprovalAction({ approvalId, decision: "approve", ...form() })).toMatchObject({ ok: true, status: "approved" });
    const [a] = await db.select().from(supportApproval).where(eq(supportApproval.id, approvalId));
    expect(a).toMatchObject({ status: "approved", requestedBy: staff, decidedBy: staff2 });
  });

  it("releases a stuck hold and clears a lockout", async () => {
    as(staff, "13900000000", "support");
    expect(await actions.releaseHoldAction({ targetUserId: customer, holdId, ...form() })).toMatchObject({ ok: true });
    await db.insert(smsLockout).values({ phone: "13800000001", lockedUntil: new Date(Date.now() + 600_000) });
    expect(await actions.clearLockoutAction({ targetUserId: customer, ...form() })).toMatchObject({ ok: true });
    expect(await db.select().from(smsLockout)).toHaveLength(0);
  });
});

describe("staff cannot pay themselves through the actions", () => {
  it("a credit, refund or plan change to one's own account comes back as self_dealing, audited", async () => {
    as(staff, "13900000000", "support");
    const before = await getBalance(db, { walletId: (await ensurePersonalWallet(db, { userId: staff })).id, now: NOW });
    expect(await actions.goodwillCreditAction({ targetUserId: staff, amount: "5000000", ...form() })).toMatchObject({ ok: false, code: "self_dealing" });
    expect(await actions.changePlanAction({ targetUserId: staff, tierId: "t399", ...form() })).toMatchObject({ ok: false, code: "self_dealing" });
    expect(await actions.sendPurchaseCodeAction({ targetUserId: staff, tierId: "t399", ...form() })).toMatchObject({ ok: false, code: "self_dealing" });
    expect(await actions.cancelPlanAction({ targetUserId: staff, ...form() })).toMatchObject({ ok: false, code: "self_dealing" });
    const after = await getBalance(db, { walletId: (await ensurePersonalWallet(db, { userId: staff })).id, now: NOW });
    expect(after.available).toBe(before.available);
    const refused = await db.select().from(auditLog).where(eq(auditLog.action, "self_dealing_refused"));
    expect(refused.filter((r) => r.actorUserId === staff && r.targetUserId === staff)).toHaveLength(4);
  });

  it("a paid plan change needs the code texted to the customer; a free one does not", async () => {
    as(staff, "13900000000", "support");
    const buyer = await makeUser(db, { phone: "13800000007", name: "赵敏", now: NOW });
    expect(await actions.changePlanAction({ targetUserId: buyer, tierId: "t599", ...form() })).toMatchObject({ ok: false, code: "purchase_code_required" });
    expect(await actions.changePlanAction({ targetUserId: buyer, tierId: "t599", purchaseCode: "12ab", ...form() })).toMatchObject({
      ok: false,
      code: "invalid_input",
    });
    const sent = await actions.sendPurchaseCodeAction({ targetUserId: buyer, tierId: "t599", ...form() });
    expect(sent).toMatchObject({ ok: true });
    expect(JSON.stringify(sent)).not.toContain("13800000007");
    const text = texts.find((m) => m.phone === "13800000007");
    expect(text!.kind).toBe("purchase");
    const code = /(\d{6})/.exec(text!.body)![1]!;
    expect(await actions.changePlanAction({ targetUserId: buyer, tierId: "t599", purchaseCode: code, ...form() })).toMatchObject({
      ok: true,
      outcome: "subscribed",
    });
    // A downgrade is free: no code.
    expect(await actions.changePlanAction({ targetUserId: buyer, tierId: "t399", ...form() })).toMatchObject({ ok: true, outcome: "downgrade_scheduled" });
    const [sub] = await db.select().from(subscription).where(eq(subscription.userId, buyer));
    expect(sub).toMatchObject({ tierId: "t599", scheduledAction: "downgrade" });
    const actionsOnBuyer = (await db.select().from(auditLog).where(eq(auditLog.targetUserId, buyer))).map((r) => r.action).sort();
    expect(actionsOnBuyer).toEqual(["change_plan", "change_plan", "purchase_code_rejected", "purchase_code_sent"]);
  });
});

describe("no support route reaches conversation content", () => {
  it("the account view carries usage metadata only: no message text, no conversation id", async () => {
    const [u] = await db.select().from(usage).where(eq(usage.id, usageId));
    expect(u!.conversationId).not.toBeNull();
    const v = await getAccountView(db, { userId: customer, now: new Date() });
    const json = JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? x.toString() : x));
    expect(json).not.toContain(SECRET);
    expect(json).not.toContain(SECRET.slice(0, 10));
    expect(json).not.toContain(u!.conversationId!);
    expect(json).not.toContain("13800000001");
    expect(v.usage.length).toBeGreaterThan(0);
    for (const row of v.usage) {
      expect(Object.keys(row).sort()).toEqual([
        "createdAt",
        "cycle",
        "id",
        "modelId",
        "planTokens",
        // Which provider served the row and which routes were tried: metadata, not content.
        "providerRoute",
        "refundedAt",
        "routeAttempts",
        "status",
        "tokensIn",
        "tokensOut",
        "usageSource",
        "viaApi",
        "walletId",
      ]);
    }
  });

  it("no support source imports the chat module or the message/conversation tables", () => {
    const root = process.cwd();
    const files: string[] = [];
    const walk = (p: string) => {
      if (!statSync(p, { throwIfNoEntry: false })) return;
      if (statSync(p).isDirectory()) readdirSync(p).forEach((f) => walk(path.join(p, f)));
      else if (/\.tsx?$/.test(p) && !/\.test\.ts$|test-helpers\.ts$/.test(p)) files.push(p);
    };
    ["lib/support", "app/(support)", "components/support", "app/actions/support.ts"].forEach((p) => walk(path.join(root, p)));
    expect(files.length).toBeGreaterThan(8);
    for (const f of files) {
      // Code only: comments may say what the code must never do.
      const src = readFileSync(f, "utf8")
        .replace(/\/\*[\s\S]*?\*\//g, "")
        .replace(/^\s*\/\/.*$/gm, "")
        .replace(/\{\/\*[\s\S]*?\*\/\}/g, "");
      expect(src, f).not.toMatch(/from\s+["']@\/lib\/chat/);
      const schemaImports = [...src.matchAll(/import\s*\{([^}]*)\}\s*from\s*["']@\/lib\/db\/schema["']/g)].flatMap((m) =>
        m[1]!.split(",").map((s) => s.trim()),
      );
      expect(schemaImports, f).not.toContain("message");
      expect(schemaImports, f).not.toContain("conversation");
      expect(src, f).not.toMatch(/\bconversationId\b|conversation_id|\bcontent\b/);
    }
  });
});
