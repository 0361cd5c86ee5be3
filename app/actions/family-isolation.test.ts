import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { randomUUID } from "node:crypto";
import { createTestDb } from "@/lib/testing/db";
import type { Database } from "@/lib/db/types";
import { message, user } from "@/lib/db/schema";
import { eq } from "drizzle-orm";
import { cycleOf } from "@/lib/core/cycle";
import { ensureBill } from "@/lib/billing/ensure-bill";
import { getBill, listBills, listBillUsage } from "@/lib/billing/bills";
import { createConversation, findConversation, listConversations, listMessages } from "@/lib/chat/conversations";
import { reconcileLedger } from "@/lib/ledger";
import {
  acceptInvitation,
  getFamilyUsageByMember,
  getMemberFamilyView,
  getMemberUsageBreakdown,
  getOwnerFamilyView,
  getOwnFamilyUsage,
  inviteMember,
  removeFamilyMember,
  revokeInvitation,
  setCap,
  setPaused,
} from "@/lib/family";
import { familyOwner, NOW, person, quietSms, spend } from "@/lib/testing/family";

// Isolation rules of family sharing, at the lib level and through the server actions:
// a family shares a pool, never conversations; another family's pool and bills do not exist.

let db: Database;
let close: () => Promise<void>;
let current: { id: string; phone: string; name: string | null; role: "subscriber"; locale: null; sessionId: string } | null = null;

vi.mock("@/lib/server/session", () => ({ getCurrentUser: async () => current }));
vi.mock("@/lib/server/db", () => ({ getDb: async () => db }));
vi.mock("next/headers", () => ({ headers: async () => new Headers() }));

const SECRET = "我的体检报告显示血糖偏高，帮我写一份饮食计划";
const cycle = cycleOf(NOW);

type P = { id: string; phone: string };
let A: { owner: P; walletId: string; m1: P; m2: P; convM1: string; convOwner: string; invitationId: string };
let B: { owner: P; walletId: string; mb: P };

async function join(ownerId: string, m: P, capTokens: bigint | null = null) {
  const { invitation } = await inviteMember(db, { ownerUserId: ownerId, phone: m.phone, capTokens, now: NOW, sms: quietSms(db) });
  await acceptInvitation(db, { userId: m.id, invitationId: invitation.id, now: NOW });
}

async function chat(userId: string, walletId: string, text: string) {
  const c = await createConversation(db, { userId, title: text.slice(0, 20), modelId: "deepseek-chat", now: NOW });
  const requestId = randomUUID();
  await db.insert(message).values([
    { conversationId: c.id, ownerUserId: userId, role: "user", content: text, modelId: "deepseek-chat", requestId },
    { conversationId: c.id, ownerUserId: userId, role: "assistant", content: `回复：${text}`, modelId: "deepseek-chat", requestId },
  ]);
  const r = await spend(db, { walletId, userId, amount: 321n, conversationId: c.id });
  expect(r.ok).toBe(true);
  return c.id;
}

beforeAll(async () => {
  ({ db, close } = await createTestDb());
  const a = await familyOwner(db, { name: "户主A" });
  const m1 = await person(db, "成员一");
  const m2 = await person(db, "成员二");
  await join(a.owner.id, m1, 100_000n);
  await join(a.owner.id, m2);
  const convM1 = await chat(m1.id, a.walletId, SECRET);
  const convOwner = await chat(a.owner.id, a.walletId, "户主自己的秘密对话");
  await chat(m2.id, a.walletId, "成员二的对话");
  const pendingFor = await person(db);
  const { invitation } = await inviteMember(db, { ownerUserId: a.owner.id, phone: pendingFor.phone, now: NOW, sms: quietSms(db) });
  A = { owner: a.owner, walletId: a.walletId, m1, m2, convM1, convOwner, invitationId: invitation.id };

  const b = await familyOwner(db, { name: "户主B" });
  const mb = await person(db, "B成员");
  await join(b.owner.id, mb);
  await chat(mb.id, b.walletId, "B 家的对话");
  B = { owner: b.owner, walletId: b.walletId, mb };
});

afterAll(async () => {
  const r = await reconcileLedger(db);
  expect(r.problems).toEqual([]);
  await close();
});

beforeEach(() => {
  current = null;
});

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return (e as { code?: string }).code ?? String(e);
  }
  return "no error";
}

function json(v: unknown): string {
  return JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? x.toString() : x));
}

describe("conversations stay private inside a family (lib)", () => {
  it("the owner cannot open a member's conversation or read its messages", async () => {
    expect(await findConversation(db, { userId: A.owner.id, conversationId: A.convM1 })).toBeNull();
    expect(await listMessages(db, { userId: A.owner.id, conversationId: A.convM1 })).toEqual([]);
    expect((await listConversations(db, { userId: A.owner.id })).map((c) => c.id)).not.toContain(A.convM1);
  });

  it("a member cannot open another member's or the owner's conversation", async () => {
    expect(await findConversation(db, { userId: A.m2.id, conversationId: A.convM1 })).toBeNull();
    expect(await listMessages(db, { userId: A.m2.id, conversationId: A.convM1 })).toEqual([]);
    expect(await findConversation(db, { userId: A.m1.id, conversationId: A.convOwner })).toBeNull();
    expect(await listMessages(db, { userId: A.m1.id, conversationId: A.convOwner })).toEqual([]);
    // The member still reads their own.
    expect((await listMessages(db, { userId: A.m1.id, conversationId: A.convM1 })).map((m) => m.content)).toContain(SECRET);
  });

  it("the owner's family views carry totals only: no message text, titles or conversation ids", async () => {
    const views = [
      await getOwnerFamilyView(db, { ownerUserId: A.owner.id, now: NOW }),
      await getFamilyUsageByMember(db, { ownerUserId: A.owner.id, cycle }),
      await getMemberUsageBreakdown(db, { ownerUserId: A.owner.id, memberUserId: A.m1.id, cycle }),
    ];
    const text = json(views);
    expect(text).toContain(A.m1.id); // the member is there…
    expect(text).not.toContain(SECRET.slice(0, 6)); // …their words are not
    expect(text).not.toContain(A.convM1);
    expect(text).not.toContain(A.convOwner);
    expect(text).not.toMatch(/conversation/i);
  });

  it("a member sees their own spend only, never another member's", async () => {
    const v = await getMemberFamilyView(db, { userId: A.m2.id, now: NOW });
    expect(v!.used).toBe(321n);
    expect(json(v)).not.toContain(A.m1.id);
    const own = await getOwnFamilyUsage(db, { userId: A.m2.id, cycle });
    expect(own.byModel.reduce((s, m) => s + m.planTokens, 0n)).toBe(321n);
    // Members are not owners: the owner's views are empty or not_found for them.
    expect(await getOwnerFamilyView(db, { ownerUserId: A.m2.id, now: NOW })).toBeNull();
    expect(await getFamilyUsageByMember(db, { ownerUserId: A.m2.id, cycle })).toEqual([]);
    expect(await code(getMemberUsageBreakdown(db, { ownerUserId: A.m2.id, memberUserId: A.m1.id, cycle }))).toBe("not_found");
    expect(await code(setCap(db, { ownerUserId: A.m2.id, memberUserId: A.m1.id, capTokens: 0n }))).toBe("not_found");
    expect(await code(setPaused(db, { ownerUserId: A.m2.id, memberUserId: A.m1.id, paused: true }))).toBe("not_found");
    expect(await code(removeFamilyMember(db, { ownerUserId: A.m2.id, memberUserId: A.m1.id, now: NOW }))).toBe("not_found");
  });
});

describe("another family's pool and bills do not exist (lib)", () => {
  it("owner B cannot manage, inspect or revoke anything of family A", async () => {
    expect(await code(setCap(db, { ownerUserId: B.owner.id, memberUserId: A.m1.id, capTokens: 0n }))).toBe("not_found");
    expect(await code(setPaused(db, { ownerUserId: B.owner.id, memberUserId: A.m1.id, paused: true }))).toBe("not_found");
    expect(await code(removeFamilyMember(db, { ownerUserId: B.owner.id, memberUserId: A.m1.id, now: NOW }))).toBe("not_found");
    expect(await code(getMemberUsageBreakdown(db, { ownerUserId: B.owner.id, memberUserId: A.m1.id, cycle }))).toBe("not_found");
    expect(await code(revokeInvitation(db, { ownerUserId: B.owner.id, invitationId: A.invitationId, now: NOW }))).toBe("not_found");
    const bTotals = await getFamilyUsageByMember(db, { ownerUserId: B.owner.id, cycle });
    expect(bTotals.map((t) => t.userId).sort()).toEqual([B.owner.id, B.mb.id].sort());
    expect(json(await getOwnerFamilyView(db, { ownerUserId: B.owner.id, now: NOW }))).not.toContain(A.walletId);
  });

  it("bills: the owner's bill (with members' usage) is invisible to members and to other families", async () => {
    const ownerBill = await ensureBill(db, { userId: A.owner.id, cycle });
    const detail = await getBill(db, { billId: ownerBill.id, userId: A.owner.id });
    expect(detail!.byModel.reduce((s, m) => s + m.planTokens, 0n)).toBe(321n * 3n);
    for (const viewer of [A.m1.id, A.m2.id, B.owner.id, B.mb.id]) {
      expect(await getBill(db, { billId: ownerBill.id, userId: viewer })).toBeNull();
      expect(await listBillUsage(db, { billId: ownerBill.id, userId: viewer })).toBeNull();
      expect((await listBills(db, { userId: viewer })).map((b) => b.id)).not.toContain(ownerBill.id);
    }
  });
});

describe("the same rules through the server actions", () => {
  const as = async (p: P) => {
    const [u] = await db.select().from(user).where(eq(user.id, p.id));
    current = { id: u!.id, phone: u!.phone, name: u!.name, role: "subscriber", locale: null, sessionId: "s" };
  };

  it("refuses anonymous callers", async () => {
    const actions = await import("./family");
    expect(await actions.getFamilyMemberUsage({ memberUserId: A.m1.id })).toMatchObject({ ok: false, code: "unauthenticated" });
  });

  it("owner B and member 2 get not_found for member 1; owner A gets totals without text", async () => {
    const actions = await import("./family");
    for (const who of [B.owner, A.m2, B.mb]) {
      await as(who);
      expect(await actions.getFamilyMemberUsage({ memberUserId: A.m1.id })).toEqual({ ok: false, code: "not_found" });
      expect(await actions.setFamilyMemberCap({ memberUserId: A.m1.id, capTokens: "0" })).toEqual({ ok: false, code: "not_found" });
      expect(await actions.setFamilyMemberPaused({ memberUserId: A.m1.id, paused: true })).toEqual({ ok: false, code: "not_found" });
      expect(await actions.removeFamilyMemberAction({ memberUserId: A.m1.id })).toEqual({ ok: false, code: "not_found" });
      expect(await actions.revokeFamilyInvitation({ invitationId: A.invitationId })).toEqual({ ok: false, code: "not_found" });
      expect(await actions.acceptFamilyInvitation({ invitationId: A.invitationId })).toEqual({ ok: false, code: "not_found" });
    }
    await as(A.owner);
    const r = await actions.getFamilyMemberUsage({ memberUserId: A.m1.id });
    expect(r.ok).toBe(true);
    const text = JSON.stringify(r);
    expect(text).toContain("321");
    expect(text).not.toContain(SECRET.slice(0, 6));
    expect(text).not.toContain(A.convM1);
  });

  it("a member's own-usage action returns only their own totals", async () => {
    const actions = await import("./family");
    await as(A.m1);
    const r = await actions.getMyFamilyUsage({});
    expect(r).toMatchObject({ ok: true });
    if (!r.ok) return;
    expect(r.usage.byModel.reduce((s, m) => s + BigInt(m.planTokens), 0n)).toBe(321n);
    expect(JSON.stringify(r)).not.toContain(A.convM1);
  });

  it("the acting user comes from the session, never from the input", async () => {
    const actions = await import("./family");
    await as(A.m2);
    // Extra fields naming someone else are ignored; the action acts for member 2, who owns no family.
    const r = await actions.setFamilyMemberCap({ memberUserId: A.m1.id, capTokens: "1", ownerUserId: A.owner.id } as never);
    expect(r).toEqual({ ok: false, code: "not_found" });
    expect((await getMemberFamilyView(db, { userId: A.m1.id, now: NOW }))!.capTokens).toBe(100_000n);
  });
});
