import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { randomUUID } from "node:crypto";
import { createTestDb } from "@/lib/testing/db";
import type { Database } from "@/lib/db/types";
import { bill, familyInvitation, subscription, usage, walletMember } from "@/lib/db/schema";
import { cycleOf } from "@/lib/core/cycle";
import { ensureBill } from "@/lib/billing/ensure-bill";
import { getMemberSpend, getWalletsForUser, recordProgress, reconcileLedger, reserve, settle, type UsageInput } from "@/lib/ledger";
import { getPayingWalletInfo, resolvePayingWallet, resolvePayingWallets, setPayingPreference } from "@/lib/ledger";
import {
  acceptInvitation,
  declineInvitation,
  expireInvitations,
  getFamilyMembership,
  getFamilyUsageByMember,
  getMemberFamilyView,
  getMemberUsageBreakdown,
  getOwnerFamilyView,
  getOwnFamilyUsage,
  inviteMember,
  leaveFamily,
  listInvitationsForUser,
  removeFamilyMember,
  revokeInvitation,
  setCap,
  setPaused,
} from "./index";
import { familyOwner, givePersonalPlan, HOUR, NOW, person, quietSms, spend, textsTo } from "@/lib/testing/family";

let db: Database;
let close: () => Promise<void>;
beforeEach(async () => {
  ({ db, close } = await createTestDb());
});
afterEach(async () => {
  const r = await reconcileLedger(db);
  expect(r.problems).toEqual([]);
  await close();
});

const cycle = cycleOf(NOW);

/** Owner invites a new person who accepts; returns both. */
async function joined(opts: { capTokens?: bigint | null; tierId?: string; pool?: bigint } = {}) {
  const fam = await familyOwner(db, { tierId: opts.tierId, pool: opts.pool });
  const m = await person(db, "成员");
  const { invitation } = await inviteMember(db, { ownerUserId: fam.owner.id, phone: m.phone, capTokens: opts.capTokens ?? null, now: NOW, sms: quietSms(db) });
  await acceptInvitation(db, { userId: m.id, invitationId: invitation.id, now: NOW });
  return { ...fam, member: m };
}

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return (e as { code?: string }).code ?? String(e);
  }
  return "no error";
}

describe("invitations", () => {
  it("texts the invitee, shows them the invitation, and makes them a member with the invited cap", async () => {
    const { owner, walletId } = await familyOwner(db, { name: "王芳" });
    const m = await person(db, "王小明");
    const { invitation } = await inviteMember(db, { ownerUserId: owner.id, phone: `+86 ${m.phone}`, capTokens: 50_000n, now: NOW, sms: quietSms(db) });
    expect(invitation.status).toBe("pending");
    expect(invitation.expiresAt.getTime() - NOW.getTime()).toBe(72 * HOUR);
    const texts = await textsTo(db, m.phone);
    expect(texts).toHaveLength(1);
    expect(texts[0]!.body).toContain("王芳");
    expect(texts[0]!.body).toContain("72 小时");

    const mine = await listInvitationsForUser(db, { userId: m.id, now: NOW });
    expect(mine.map((i) => i.id)).toEqual([invitation.id]);
    expect(mine[0]!.inviterName).toBe("王芳");

    await acceptInvitation(db, { userId: m.id, invitationId: invitation.id, now: NOW });
    const membership = await getFamilyMembership(db, { userId: m.id });
    expect(membership).toMatchObject({ walletId, role: "member", capTokens: 50_000n, paused: false });
    expect(await listInvitationsForUser(db, { userId: m.id, now: NOW })).toEqual([]);
    expect((await getWalletsForUser(db, { userId: m.id })).map((w) => w.kind).sort()).toEqual(["family", "personal"]);
  });

  it("stops at the tier's seats (owner, members and open invitations together); revoking frees a seat", async () => {
    const { owner } = await familyOwner(db, { tierId: "t1999" }); // 4 people
    const invited = [];
    for (let i = 0; i < 3; i++) {
      const p = await person(db);
      invited.push((await inviteMember(db, { ownerUserId: owner.id, phone: p.phone, now: NOW, sms: quietSms(db) })).invitation);
    }
    const extra = await person(db);
    expect(await code(inviteMember(db, { ownerUserId: owner.id, phone: extra.phone, now: NOW, sms: quietSms(db) }))).toBe("member_limit_reached");
    await revokeInvitation(db, { ownerUserId: owner.id, invitationId: invited[0]!.id, now: NOW });
    await inviteMember(db, { ownerUserId: owner.id, phone: extra.phone, now: NOW, sms: quietSms(db) });
    const view = await getOwnerFamilyView(db, { ownerUserId: owner.id, now: NOW });
    expect(view!.seatsUsed).toBe(4);
    expect(view!.plan!.seats).toBe(4);
  });

  it("allows six people on the ¥299.9 tier", async () => {
    const { owner } = await familyOwner(db, { tierId: "t2999" });
    for (let i = 0; i < 5; i++) await inviteMember(db, { ownerUserId: owner.id, phone: (await person(db)).phone, now: NOW, sms: quietSms(db) });
    expect(await code(inviteMember(db, { ownerUserId: owner.id, phone: (await person(db)).phone, now: NOW, sms: quietSms(db) }))).toBe("member_limit_reached");
  });

  it("expires after 72 hours: hidden from the invitee, refused on accept, seat freed", async () => {
    const { owner } = await familyOwner(db);
    const m = await person(db);
    const { invitation } = await inviteMember(db, { ownerUserId: owner.id, phone: m.phone, now: NOW, sms: quietSms(db) });
    const later = new Date(NOW.getTime() + 72 * HOUR + 1000);
    expect(await listInvitationsForUser(db, { userId: m.id, now: new Date(NOW.getTime() + 71 * HOUR) })).toHaveLength(1);
    expect(await listInvitationsForUser(db, { userId: m.id, now: later })).toEqual([]);
    expect(await code(acceptInvitation(db, { userId: m.id, invitationId: invitation.id, now: later }))).toBe("invitation_expired");
    const [row] = await db.select().from(familyInvitation).where(eq(familyInvitation.id, invitation.id));
    expect(row!.status).toBe("expired");
    expect(await getFamilyMembership(db, { userId: m.id })).toBeNull();
    // The same phone can be invited again.
    await inviteMember(db, { ownerUserId: owner.id, phone: m.phone, now: later, sms: quietSms(db) });
    expect(await expireInvitations(db, { now: new Date(later.getTime() + 73 * HOUR) })).toBe(1);
  });

  it("refuses: self, twice, an existing member, a non-family plan", async () => {
    const { owner, member } = await joined();
    expect(await code(inviteMember(db, { ownerUserId: owner.id, phone: owner.phone, now: NOW, sms: quietSms(db) }))).toBe("cannot_invite_self");
    expect(await code(inviteMember(db, { ownerUserId: owner.id, phone: member.phone, now: NOW, sms: quietSms(db) }))).toBe("already_member");
    const p = await person(db);
    await inviteMember(db, { ownerUserId: owner.id, phone: p.phone, now: NOW, sms: quietSms(db) });
    expect(await code(inviteMember(db, { ownerUserId: owner.id, phone: p.phone, now: NOW, sms: quietSms(db) }))).toBe("already_invited");
    const solo = await person(db);
    expect(await code(inviteMember(db, { ownerUserId: solo.id, phone: p.phone, now: NOW, sms: quietSms(db) }))).toBe("no_family_plan");
    const personalTier = await familyOwner(db, { tierId: "t599" });
    expect(await code(inviteMember(db, { ownerUserId: personalTier.owner.id, phone: p.phone, now: NOW, sms: quietSms(db) }))).toBe("no_family_plan");
    expect(await code(inviteMember(db, { ownerUserId: owner.id, phone: "12345", now: NOW, sms: quietSms(db) }))).toBe("invalid_phone");
  });

  it("only the addressee can accept or decline; a revoked or declined invitation is gone", async () => {
    const { owner } = await familyOwner(db);
    const m = await person(db);
    const stranger = await person(db);
    const { invitation } = await inviteMember(db, { ownerUserId: owner.id, phone: m.phone, now: NOW, sms: quietSms(db) });
    expect(await code(acceptInvitation(db, { userId: stranger.id, invitationId: invitation.id, now: NOW }))).toBe("not_found");
    expect(await code(declineInvitation(db, { userId: stranger.id, invitationId: invitation.id, now: NOW }))).toBe("not_found");
    expect(await code(acceptInvitation(db, { userId: m.id, invitationId: randomUUID(), now: NOW }))).toBe("not_found");
    await declineInvitation(db, { userId: m.id, invitationId: invitation.id, now: NOW });
    expect(await code(acceptInvitation(db, { userId: m.id, invitationId: invitation.id, now: NOW }))).toBe("not_found");

    const again = (await inviteMember(db, { ownerUserId: owner.id, phone: m.phone, now: NOW, sms: quietSms(db) })).invitation;
    await revokeInvitation(db, { ownerUserId: owner.id, invitationId: again.id, now: NOW });
    expect(await code(acceptInvitation(db, { userId: m.id, invitationId: again.id, now: NOW }))).toBe("not_found");
    expect(await getFamilyMembership(db, { userId: m.id })).toBeNull();
  });

  it("one family at a time: a member or an owner cannot join another family", async () => {
    const a = await joined();
    const b = await familyOwner(db);
    const inv = (await inviteMember(db, { ownerUserId: b.owner.id, phone: a.member.phone, now: NOW, sms: quietSms(db) })).invitation;
    expect(await code(acceptInvitation(db, { userId: a.member.id, invitationId: inv.id, now: NOW }))).toBe("already_in_family");
    const inv2 = (await inviteMember(db, { ownerUserId: b.owner.id, phone: a.owner.phone, now: NOW, sms: quietSms(db) })).invitation;
    expect(await code(acceptInvitation(db, { userId: a.owner.id, invitationId: inv2.id, now: NOW }))).toBe("already_in_family");
    // After leaving, the invitation can be accepted.
    await leaveFamily(db, { userId: a.member.id, now: NOW });
    await acceptInvitation(db, { userId: a.member.id, invitationId: inv.id, now: NOW });
    expect((await getFamilyMembership(db, { userId: a.member.id }))!.walletId).toBe(b.walletId);
  });
});

describe("sharing, caps and pause", () => {
  it("a member spends the pool up to their cap; raising the cap lets them continue; no cap means the pool", async () => {
    const { walletId, member, owner } = await joined({ capTokens: 1_000n, pool: 100_000n });
    expect((await resolvePayingWallet(db, { userId: member.id, now: NOW })).walletId).toBe(walletId);
    expect((await spend(db, { walletId, userId: member.id, amount: 800n })).ok).toBe(true);
    const refused = await spend(db, { walletId, userId: member.id, amount: 300n });
    expect(refused).toMatchObject({ ok: false, code: "cap_reached", capLeft: 200n });
    await setCap(db, { ownerUserId: owner.id, memberUserId: member.id, capTokens: 2_000n });
    expect((await spend(db, { walletId, userId: member.id, amount: 300n })).ok).toBe(true);
    await setCap(db, { ownerUserId: owner.id, memberUserId: member.id, capTokens: null });
    expect((await spend(db, { walletId, userId: member.id, amount: 50_000n })).ok).toBe(true);
    expect((await getMemberSpend(db, { walletId, userId: member.id, cycle })).used).toBe(51_100n);
    expect(await code(setCap(db, { ownerUserId: owner.id, memberUserId: member.id, capTokens: -1n }))).toBe("invalid_cap");
  });

  it("a paused member is refused until resumed", async () => {
    const { walletId, member, owner } = await joined();
    await setPaused(db, { ownerUserId: owner.id, memberUserId: member.id, paused: true });
    expect(await spend(db, { walletId, userId: member.id, amount: 10n })).toMatchObject({ ok: false, code: "member_paused" });
    expect((await getMemberFamilyView(db, { userId: member.id, now: NOW }))!.paused).toBe(true);
    await setPaused(db, { ownerUserId: owner.id, memberUserId: member.id, paused: false });
    expect((await spend(db, { walletId, userId: member.id, amount: 10n })).ok).toBe(true);
  });

  it("the member sees the pool left, their cap and their own spend", async () => {
    const { walletId, member, owner } = await joined({ capTokens: 5_000n, pool: 100_000n });
    await spend(db, { walletId, userId: member.id, amount: 1_200n });
    await spend(db, { walletId, userId: owner.id, amount: 3_000n });
    const v = await getMemberFamilyView(db, { userId: member.id, now: NOW });
    expect(v).toMatchObject({ walletId, poolAvailable: 95_800n, capTokens: 5_000n, used: 1_200n, held: 0n, paused: false });
    expect(v!.owner.name).toBe("户主");
    expect(await getMemberFamilyView(db, { userId: owner.id, now: NOW })).toBeNull();
  });

  it("owner sees each member's totals by day and by model; usage is on the owner's bill under the member's name", async () => {
    const { walletId, member, owner } = await joined({ pool: 100_000n });
    await spend(db, { walletId, userId: member.id, amount: 100n, modelId: "deepseek-chat" });
    await spend(db, { walletId, userId: member.id, amount: 200n, modelId: "deepseek-chat" });
    await spend(db, { walletId, userId: member.id, amount: 50n, modelId: "qwen-max" });
    await spend(db, { walletId, userId: owner.id, amount: 1_000n });

    const totals = await getFamilyUsageByMember(db, { ownerUserId: owner.id, cycle });
    expect(totals.map((t) => [t.role, t.planTokens, t.requests])).toEqual([
      ["owner", 1_000n, 1],
      ["member", 350n, 3],
    ]);
    expect(totals[1]!.name).toBe("成员");
    expect(totals[1]!.phone).toMatch(/^\d{3}\*{4}\d{4}$/);

    const b = await getMemberUsageBreakdown(db, { ownerUserId: owner.id, memberUserId: member.id, cycle });
    expect(b.byModel.map((m) => [m.modelId, m.planTokens, m.requests])).toEqual([
      ["deepseek-chat", 300n, 2],
      ["qwen-max", 50n, 1],
    ]);
    expect(b.byDay).toHaveLength(1);
    expect(b.byDay[0]!.planTokens).toBe(350n);
    expect(await getOwnFamilyUsage(db, { userId: member.id, cycle })).toEqual(b);

    // Attribution: member's usage rows are the member's, on the owner's bill of the cycle.
    const ownerBill = await ensureBill(db, { userId: owner.id, cycle });
    const rows = await db.select().from(usage).where(eq(usage.userId, member.id));
    expect(rows).toHaveLength(3);
    for (const r of rows) expect({ billId: r.billId, walletId: r.walletId, cycle: r.cycle }).toEqual({ billId: ownerBill.id, walletId, cycle });
    const memberBills = await db.select().from(bill).where(eq(bill.userId, member.id));
    for (const mb of memberBills) expect((await db.select().from(usage).where(eq(usage.billId, mb.id))).length).toBe(0);
  });

  it("removal is immediate: a live stream is told to stop and settles for what it produced, new reserves are refused, history stays", async () => {
    const { walletId, member, owner } = await joined({ pool: 100_000n });
    await spend(db, { walletId, userId: member.id, amount: 500n });
    const open = await reserve(db, { walletId, userId: member.id, amount: 2_000n, idempotencyKey: `r:${randomUUID()}`, cycle, now: NOW, ttlSeconds: 600 });
    expect(open.ok).toBe(true);
    if (!open.ok) return;
    const usageOf = (tokensOut: number): UsageInput => ({
      requestId: `q:${open.holdId}`,
      userId: member.id,
      modelId: "demo/echo",
      providerRoute: "demo",
      tokensIn: 0,
      tokensOut,
      weightInMicro: 1_000_000n,
      weightOutMicro: 1_000_000n,
      usageSource: "counted",
      status: "interrupted",
    });
    await recordProgress(db, { holdId: open.holdId, amount: 600n, draft: usageOf(600) });
    await removeFamilyMember(db, { ownerUserId: owner.id, memberUserId: member.id, now: NOW });
    // The live hold is not released: the stream's next note tells it to stop, and it settles.
    expect(await recordProgress(db, { holdId: open.holdId, amount: 700n, draft: usageOf(700) })).toEqual({ open: true, stop: true });
    await settle(db, { holdId: open.holdId, amount: 700n, usage: usageOf(700) });

    expect(await getFamilyMembership(db, { userId: member.id })).toBeNull();
    expect(await spend(db, { walletId, userId: member.id, amount: 10n })).toMatchObject({ ok: false, code: "not_member" });
    const s = await getMemberSpend(db, { walletId, userId: member.id, cycle });
    expect(s).toMatchObject({ used: 1_200n, held: 0n, status: "removed" });
    // The member now pays from their own wallet again.
    expect((await resolvePayingWallet(db, { userId: member.id, now: NOW })).kind).toBe("personal");
    const totals = await getFamilyUsageByMember(db, { ownerUserId: owner.id, cycle });
    const row = totals.find((t) => t.userId === member.id);
    expect(row).toMatchObject({ status: "removed", name: "成员" });
    expect(row!.planTokens).toBeGreaterThanOrEqual(500n);
    // Owner can still look at a former member's history; the member is gone from the member list.
    await getMemberUsageBreakdown(db, { ownerUserId: owner.id, memberUserId: member.id, cycle });
    const view = await getOwnerFamilyView(db, { ownerUserId: owner.id, now: NOW });
    expect(view!.members.map((m) => m.userId)).toEqual([owner.id]);
    expect(await code(removeFamilyMember(db, { ownerUserId: owner.id, memberUserId: member.id, now: NOW }))).toBe("not_found");
  });

  it("a member can leave; the owner cannot; a removed member can be invited back", async () => {
    const { member, owner } = await joined({ capTokens: 10n });
    expect(await code(leaveFamily(db, { userId: owner.id, now: NOW }))).toBe("owner_cannot_leave");
    await leaveFamily(db, { userId: member.id, now: NOW });
    expect(await code(leaveFamily(db, { userId: member.id, now: NOW }))).toBe("not_found");
    const inv = (await inviteMember(db, { ownerUserId: owner.id, phone: member.phone, capTokens: 99n, now: NOW, sms: quietSms(db) })).invitation;
    await acceptInvitation(db, { userId: member.id, invitationId: inv.id, now: NOW });
    const [m] = await db
      .select()
      .from(walletMember)
      .where(and(eq(walletMember.userId, member.id), eq(walletMember.status, "active")));
    expect(m!.capTokens).toBe(99n);
  });
});

describe("paying wallet", () => {
  it("owner and member pay from the pool; outsiders from their own wallet", async () => {
    const { walletId, member, owner } = await joined();
    const solo = await person(db);
    expect(await resolvePayingWallet(db, { userId: owner.id, now: NOW })).toEqual({ walletId, kind: "family", ownerUserId: owner.id });
    expect(await resolvePayingWallet(db, { userId: member.id, now: NOW })).toEqual({ walletId, kind: "family", ownerUserId: owner.id });
    expect((await resolvePayingWallet(db, { userId: solo.id, now: NOW })).kind).toBe("personal");
    const info = await getPayingWalletInfo(db, { userId: member.id, now: NOW });
    expect(info).toMatchObject({ kind: "family", role: "member", familyOwnerName: "户主", canChoose: false });
    expect(await code(setPayingPreference(db, { userId: member.id, paysFrom: "personal", now: NOW }))).toBe("no_own_plan");
    expect(await code(setPayingPreference(db, { userId: solo.id, paysFrom: "personal", now: NOW }))).toBe("not_found");
  });

  it("an owner who moved to a personal tier pays from their own wallet again; owner rows win over member rows", async () => {
    const { owner, walletId } = await familyOwner(db);
    expect((await resolvePayingWallet(db, { userId: owner.id, now: NOW })).walletId).toBe(walletId);
    const own = await givePersonalPlan(db, owner.id);
    await db.update(subscription).set({ tierId: "t599", walletId: own }).where(eq(subscription.userId, owner.id));
    expect(await resolvePayingWallet(db, { userId: owner.id, now: NOW })).toEqual({ walletId: own, kind: "personal", ownerUserId: owner.id });
    expect((await getFamilyMembership(db, { userId: owner.id }))!.role).toBe("owner");
  });

  it("a member with their own plan chooses which wallet pays", async () => {
    const { walletId, member } = await joined();
    const own = await givePersonalPlan(db, member.id);
    expect((await getPayingWalletInfo(db, { userId: member.id, now: NOW })).canChoose).toBe(true);
    expect((await resolvePayingWallet(db, { userId: member.id, now: NOW })).walletId).toBe(walletId);
    await setPayingPreference(db, { userId: member.id, paysFrom: "personal", now: NOW });
    expect(await resolvePayingWallet(db, { userId: member.id, now: NOW })).toEqual({ walletId: own, kind: "personal", ownerUserId: member.id });
    // Once their own plan runs out, the family pool pays again.
    expect((await resolvePayingWallet(db, { userId: member.id, now: new Date(NOW.getTime() + 31 * 24 * HOUR) })).walletId).toBe(walletId);
    await setPayingPreference(db, { userId: member.id, paysFrom: "family", now: NOW });
    expect((await resolvePayingWallet(db, { userId: member.id, now: NOW })).walletId).toBe(walletId);
  });

  it("many users resolve together exactly as each alone: pool, own plan by choice, moved owner, outsider", async () => {
    const a = await joined();
    const b = await joined();
    await givePersonalPlan(db, b.member.id);
    await setPayingPreference(db, { userId: b.member.id, paysFrom: "personal", now: NOW });
    const moved = await familyOwner(db);
    const own = await givePersonalPlan(db, moved.owner.id);
    await db.update(subscription).set({ tierId: "t599", walletId: own }).where(eq(subscription.userId, moved.owner.id));
    const solo = await person(db);
    const ids = [a.owner.id, a.member.id, b.owner.id, b.member.id, moved.owner.id, solo.id];
    const together = await resolvePayingWallets(db, { userIds: ids, now: NOW });
    expect([...together.keys()].sort()).toEqual([...ids].sort());
    for (const id of ids) expect(together.get(id)).toEqual(await resolvePayingWallet(db, { userId: id, now: NOW }));
    expect(together.get(b.member.id)!.kind).toBe("personal");
    expect(together.get(a.member.id)).toEqual({ walletId: a.walletId, kind: "family", ownerUserId: a.owner.id });
    expect((await resolvePayingWallets(db, { userIds: [], now: NOW })).size).toBe(0);
  });
});
