import { and, asc, desc, eq, gt, lte, ne, sql } from "drizzle-orm";
import type { Database, Tx } from "@/lib/db/types";
import { familyInvitation, memberSpend, user, wallet, walletMember, type FamilyInvitation, type Wallet } from "@/lib/db/schema";
import { queryRows } from "@/lib/db/sql";
import { DomainError } from "@/lib/core/errors";
import { phoneSchema } from "@/lib/auth/phone";
import { maskPhone } from "@/lib/core/format";
import type { SmsSender } from "@/lib/sms";
import { cycleOf } from "@/lib/core/cycle";
import {
  addMember,
  getBalance,
  getFamilyMembership as ledgerFamilyMembership,
  removeMember as ledgerRemoveMember,
  setMemberCap,
  setMemberPaused,
} from "@/lib/ledger";
import { getFamilyPlan, type FamilyPlan } from "./limits";

export const INVITATION_TTL_MS = 72 * 60 * 60 * 1000;

export type FamilyErrorCode =
  | "no_family_plan"
  | "member_limit_reached"
  | "already_member"
  | "already_invited"
  | "cannot_invite_self"
  | "invitation_expired"
  | "already_in_family"
  | "owner_cannot_leave"
  | "invalid_cap"
  | "not_found";

const err = (code: FamilyErrorCode, details?: Record<string, unknown>) => new DomainError(code, code, details);

// ---------------------------------------------------------------------------------------------
// Lookups

/** The family wallet this user owns (one per owner), or null. */
export async function getOwnedFamilyWallet(db: Database | Tx, { ownerUserId }: { ownerUserId: string }): Promise<Wallet | null> {
  const [w] = await db
    .select()
    .from(wallet)
    .where(and(eq(wallet.ownerUserId, ownerUserId), eq(wallet.kind, "family")))
    .limit(1);
  return w ?? null;
}

export type { Membership } from "@/lib/ledger";
/** The family the user is active in (as owner or member), or null: the ledger's membership query. */
export const getFamilyMembership = ledgerFamilyMembership;

/** The owner's family wallet, or not_found for anyone who does not own one. */
async function requireOwnedFamily(db: Database | Tx, ownerUserId: string): Promise<Wallet> {
  const w = await getOwnedFamilyWallet(db, { ownerUserId });
  if (!w) throw err("not_found");
  return w;
}

/** An active member (not the owner) of the owner's family, or not_found. */
async function requireMemberOf(db: Database | Tx, walletId: string, memberUserId: string) {
  const [m] = await db
    .select()
    .from(walletMember)
    .where(and(eq(walletMember.walletId, walletId), eq(walletMember.userId, memberUserId), eq(walletMember.status, "active"), eq(walletMember.role, "member")));
  if (!m) throw err("not_found");
  return m;
}

async function lockWalletRow(tx: Tx, walletId: string): Promise<void> {
  await queryRows(tx, sql`select id from wallet where id = ${walletId} for update`);
}

async function activeMemberCount(db: Database | Tx, walletId: string): Promise<number> {
  const [r] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(walletMember)
    .where(and(eq(walletMember.walletId, walletId), eq(walletMember.status, "active")));
  return Number(r?.n ?? 0);
}

async function pendingInvitationCount(db: Database | Tx, walletId: string, now: Date): Promise<number> {
  const [r] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(familyInvitation)
    .where(and(eq(familyInvitation.walletId, walletId), eq(familyInvitation.status, "pending"), gt(familyInvitation.expiresAt, now)));
  return Number(r?.n ?? 0);
}

/** Marks pending invitations past their 72 hours as expired (reads also ignore them). */
export async function expireInvitations(db: Database, { now }: { now: Date }): Promise<number> {
  const rows = await db
    .update(familyInvitation)
    .set({ status: "expired" })
    .where(and(eq(familyInvitation.status, "pending"), lte(familyInvitation.expiresAt, now)))
    .returning({ id: familyInvitation.id });
  return rows.length;
}

// ---------------------------------------------------------------------------------------------
// Invitations

export function parseCap(cap: bigint | null | undefined): bigint | null {
  if (cap === null || cap === undefined) return null;
  if (cap < 0n) throw err("invalid_cap");
  return cap;
}

/**
 * The owner invites a phone number to the family, up to the plan's seats (owner, members and
 * open invitations together). Texts the invitee. Seats are counted under the wallet row lock.
 */
export async function inviteMember(
  db: Database,
  { ownerUserId, phone, capTokens, now, sms }: { ownerUserId: string; phone: string; capTokens?: bigint | null; now: Date; sms: SmsSender },
): Promise<{ invitation: FamilyInvitation }> {
  const parsed = phoneSchema.safeParse(phone);
  if (!parsed.success) throw new DomainError("invalid_phone");
  const target = parsed.data;
  const cap = parseCap(capTokens);
  const plan = await getFamilyPlan(db, { ownerUserId });
  const w = plan ? await getOwnedFamilyWallet(db, { ownerUserId }) : null;
  if (!plan || !w) throw err("no_family_plan");
  const [owner] = await db.select({ phone: user.phone, name: user.name }).from(user).where(eq(user.id, ownerUserId));
  if (!owner) throw err("not_found");
  if (owner.phone === target) throw err("cannot_invite_self");

  const invitation = await db.transaction(async (tx) => {
    await lockWalletRow(tx, w.id);
    const existing = await tx
      .select({ id: walletMember.userId })
      .from(walletMember)
      .innerJoin(user, eq(user.id, walletMember.userId))
      .where(and(eq(walletMember.walletId, w.id), eq(walletMember.status, "active"), eq(user.phone, target)));
    if (existing.length) throw err("already_member");
    // A stale pending row for this phone would block the unique index: retire it first.
    await tx
      .update(familyInvitation)
      .set({ status: "expired" })
      .where(
        and(
          eq(familyInvitation.walletId, w.id),
          eq(familyInvitation.phone, target),
          eq(familyInvitation.status, "pending"),
          lte(familyInvitation.expiresAt, now),
        ),
      );
    const [open] = await tx
      .select({ id: familyInvitation.id })
      .from(familyInvitation)
      .where(and(eq(familyInvitation.walletId, w.id), eq(familyInvitation.phone, target), eq(familyInvitation.status, "pending")));
    if (open) throw err("already_invited");
    const used = (await activeMemberCount(tx, w.id)) + (await pendingInvitationCount(tx, w.id, now));
    if (used >= plan.seats) throw err("member_limit_reached", { seats: plan.seats });
    const [row] = await tx
      .insert(familyInvitation)
      .values({
        walletId: w.id,
        inviterUserId: ownerUserId,
        phone: target,
        capTokens: cap,
        expiresAt: new Date(now.getTime() + INVITATION_TTL_MS),
        createdAt: now,
      })
      .returning();
    return row!;
  });

  const who = owner.name ? `${owner.name}（${maskPhone(owner.phone)}）` : maskPhone(owner.phone);
  await sms.send({
    phone: target,
    kind: "invite",
    body: `【Unitoken】${who}邀请你加入TA的家庭套餐，共享 AI 模型额度。用本手机号登录 Unitoken，在“家庭”页面接受邀请，72 小时内有效。`,
  });
  return { invitation };
}

/** The owner withdraws an open invitation. */
export async function revokeInvitation(
  db: Database,
  { ownerUserId, invitationId, now }: { ownerUserId: string; invitationId: string; now: Date },
): Promise<void> {
  const w = await requireOwnedFamily(db, ownerUserId);
  const rows = await db
    .update(familyInvitation)
    .set({ status: "revoked", respondedAt: now })
    .where(and(eq(familyInvitation.id, invitationId), eq(familyInvitation.walletId, w.id), eq(familyInvitation.status, "pending")))
    .returning({ id: familyInvitation.id });
  if (!rows.length) throw err("not_found");
}

export type InvitationForInvitee = {
  id: string;
  inviterName: string | null;
  inviterPhone: string;
  capTokens: bigint | null;
  expiresAt: Date;
  createdAt: Date;
};

export type InvitationNotice = { id: string; inviterName: string | null; inviterPhone: string; expiresAt: string };

/** The open invitations as the app shell's notice shows them (dates as strings for the wire). */
export async function listInvitationNotices(db: Database, { userId, now }: { userId: string; now: Date }): Promise<InvitationNotice[]> {
  return (await listInvitationsForUser(db, { userId, now })).map((r) => ({
    id: r.id,
    inviterName: r.inviterName,
    inviterPhone: r.inviterPhone,
    expiresAt: r.expiresAt.toISOString(),
  }));
}

/** Open invitations addressed to the user's phone number (nothing about the family's usage). */
export async function listInvitationsForUser(db: Database, { userId, now }: { userId: string; now: Date }): Promise<InvitationForInvitee[]> {
  const [me] = await db.select({ phone: user.phone }).from(user).where(eq(user.id, userId));
  if (!me) return [];
  const rows = await db
    .select({
      id: familyInvitation.id,
      inviterName: user.name,
      inviterPhone: user.phone,
      capTokens: familyInvitation.capTokens,
      expiresAt: familyInvitation.expiresAt,
      createdAt: familyInvitation.createdAt,
    })
    .from(familyInvitation)
    .innerJoin(user, eq(user.id, familyInvitation.inviterUserId))
    .where(
      and(
        eq(familyInvitation.phone, me.phone),
        eq(familyInvitation.status, "pending"),
        gt(familyInvitation.expiresAt, now),
        ne(familyInvitation.inviterUserId, userId),
      ),
    )
    .orderBy(desc(familyInvitation.createdAt));
  return rows.map((r) => ({ ...r, inviterPhone: maskPhone(r.inviterPhone) }));
}

/** Loads an invitation addressed to this user, locked; anyone else's is not_found. */
async function lockInvitationFor(tx: Tx, invitationId: string, userId: string): Promise<FamilyInvitation> {
  const [me] = await tx.select({ phone: user.phone }).from(user).where(eq(user.id, userId)).for("update");
  if (!me) throw err("not_found");
  const [inv] = await tx.select().from(familyInvitation).where(eq(familyInvitation.id, invitationId)).for("update");
  if (!inv || inv.phone !== me.phone) throw err("not_found");
  return inv;
}

/**
 * The invitee joins the family: they become an active member with the invited cap. Refused when
 * the invitation is no longer open, when they are already in a family, or when seats ran out.
 * The user row lock keeps one person from joining two families at once.
 */
export async function acceptInvitation(
  db: Database,
  { userId, invitationId, now }: { userId: string; invitationId: string; now: Date },
): Promise<{ walletId: string }> {
  // Retire it first if its 72 hours are up (outside the transaction, so the refusal keeps it).
  await db
    .update(familyInvitation)
    .set({ status: "expired" })
    .where(and(eq(familyInvitation.id, invitationId), eq(familyInvitation.status, "pending"), lte(familyInvitation.expiresAt, now)));
  return db.transaction(async (tx) => {
    const inv = await lockInvitationFor(tx, invitationId, userId);
    if (inv.status === "expired") throw err("invitation_expired");
    if (inv.status !== "pending") throw err("not_found");
    const [w] = await tx.select().from(wallet).where(eq(wallet.id, inv.walletId));
    if (!w) throw err("not_found");
    const plan = await getFamilyPlan(tx, { ownerUserId: w.ownerUserId });
    if (!plan) throw err("no_family_plan");
    const mine = await getFamilyMembership(tx, { userId });
    if (mine) throw err("already_in_family");
    await lockWalletRow(tx, w.id);
    // This invitation already held a seat; only other members and invitations compete with it.
    const taken = (await activeMemberCount(tx, w.id)) + (await pendingInvitationCount(tx, w.id, now)) - 1;
    if (taken + 1 > plan.seats) throw err("member_limit_reached", { seats: plan.seats });
    // Inside this transaction (a savepoint): membership and the invitation change together.
    await addMember(tx, { walletId: w.id, userId, capTokens: inv.capTokens });
    await tx
      .update(walletMember)
      .set({ joinedAt: now })
      .where(and(eq(walletMember.walletId, w.id), eq(walletMember.userId, userId)));
    await tx.update(familyInvitation).set({ status: "accepted", inviteeUserId: userId, respondedAt: now }).where(eq(familyInvitation.id, inv.id));
    return { walletId: w.id };
  });
}

/** The invitee says no. */
export async function declineInvitation(db: Database, { userId, invitationId, now }: { userId: string; invitationId: string; now: Date }): Promise<void> {
  await db.transaction(async (tx) => {
    const inv = await lockInvitationFor(tx, invitationId, userId);
    if (inv.status !== "pending") throw err("not_found");
    await tx.update(familyInvitation).set({ status: "declined", inviteeUserId: userId, respondedAt: now }).where(eq(familyInvitation.id, inv.id));
  });
}

// ---------------------------------------------------------------------------------------------
// Managing members (owner only; every call checks the member belongs to the caller's family)

/** Owner sets a member's monthly cap in plan tokens (null = no cap); enforced by the ledger's reserve. */
export async function setCap(
  db: Database,
  { ownerUserId, memberUserId, capTokens }: { ownerUserId: string; memberUserId: string; capTokens: bigint | null },
): Promise<void> {
  const cap = parseCap(capTokens);
  const w = await requireOwnedFamily(db, ownerUserId);
  await requireMemberOf(db, w.id, memberUserId);
  await setMemberCap(db, { walletId: w.id, userId: memberUserId, capTokens: cap });
}

/** Owner pauses or resumes a member; a paused member's new requests are refused by the ledger. */
export async function setPaused(
  db: Database,
  { ownerUserId, memberUserId, paused }: { ownerUserId: string; memberUserId: string; paused: boolean },
): Promise<void> {
  const w = await requireOwnedFamily(db, ownerUserId);
  await requireMemberOf(db, w.id, memberUserId);
  await setMemberPaused(db, { walletId: w.id, userId: memberUserId, paused });
}

/** Owner removes a member, effective immediately: open holds settle, usage history stays on the owner's bill. */
export async function removeFamilyMember(
  db: Database,
  { ownerUserId, memberUserId, now }: { ownerUserId: string; memberUserId: string; now: Date },
): Promise<void> {
  const w = await requireOwnedFamily(db, ownerUserId);
  await requireMemberOf(db, w.id, memberUserId);
  await ledgerRemoveMember(db, { walletId: w.id, userId: memberUserId, now });
}

/** A member leaves their family, effective immediately (the owner cannot leave their own family). */
export async function leaveFamily(db: Database, { userId, now }: { userId: string; now: Date }): Promise<void> {
  const m = await getFamilyMembership(db, { userId });
  if (!m) throw err("not_found");
  if (m.role === "owner") throw err("owner_cannot_leave");
  await ledgerRemoveMember(db, { walletId: m.walletId, userId, now });
}

// ---------------------------------------------------------------------------------------------
// Views

export type MemberRow = {
  userId: string;
  name: string | null;
  phone: string;
  role: "owner" | "member";
  capTokens: bigint | null;
  paused: boolean;
  joinedAt: Date;
  used: bigint;
  held: bigint;
};

export type OwnerInvitationRow = { id: string; phone: string; capTokens: bigint | null; expiresAt: Date; createdAt: Date };

export type OwnerFamilyView = {
  walletId: string;
  cycle: string;
  plan: FamilyPlan | null;
  /** `granted`: what the pool's live buckets started with, for the "left of" bar. */
  pool: { available: bigint; held: bigint; total: bigint; granted: bigint };
  members: MemberRow[];
  invitations: OwnerInvitationRow[];
  seatsUsed: number;
};

function grantedOf(bal: { total: bigint; buckets?: { granted: bigint }[] }): bigint {
  const g = (bal.buckets ?? []).reduce((s, b) => s + b.granted, 0n);
  return g > bal.total ? g : bal.total;
}

async function spendFor(db: Database, walletId: string, cycle: string): Promise<Map<string, { used: bigint; held: bigint; capExtra: bigint }>> {
  const rows = await db
    .select({ userId: memberSpend.userId, used: memberSpend.used, held: memberSpend.held, capExtra: memberSpend.capExtra })
    .from(memberSpend)
    .where(and(eq(memberSpend.walletId, walletId), eq(memberSpend.cycle, cycle)));
  return new Map(rows.map((r) => [r.userId, { used: r.used, held: r.held, capExtra: r.capExtra }]));
}

/** What the owner sees: pool, seats, members with cap and this cycle's spend, open invitations. */
export async function getOwnerFamilyView(db: Database, { ownerUserId, now }: { ownerUserId: string; now: Date }): Promise<OwnerFamilyView | null> {
  const w = await getOwnedFamilyWallet(db, { ownerUserId });
  if (!w) return null;
  const cycle = cycleOf(now);
  const [plan, bal, spend] = [await getFamilyPlan(db, { ownerUserId }), await getBalance(db, { walletId: w.id, now }), await spendFor(db, w.id, cycle)];
  const memberRows = await db
    .select({
      userId: walletMember.userId,
      name: user.name,
      phone: user.phone,
      role: walletMember.role,
      capTokens: walletMember.capTokens,
      paused: walletMember.paused,
      joinedAt: walletMember.joinedAt,
    })
    .from(walletMember)
    .innerJoin(user, eq(user.id, walletMember.userId))
    .where(and(eq(walletMember.walletId, w.id), eq(walletMember.status, "active")))
    .orderBy(desc(walletMember.role), asc(walletMember.joinedAt));
  const members = memberRows.map((m) => ({ ...m, phone: maskPhone(m.phone), used: spend.get(m.userId)?.used ?? 0n, held: spend.get(m.userId)?.held ?? 0n }));
  const invitations = await db
    .select({
      id: familyInvitation.id,
      phone: familyInvitation.phone,
      capTokens: familyInvitation.capTokens,
      expiresAt: familyInvitation.expiresAt,
      createdAt: familyInvitation.createdAt,
    })
    .from(familyInvitation)
    .where(and(eq(familyInvitation.walletId, w.id), eq(familyInvitation.status, "pending"), gt(familyInvitation.expiresAt, now)))
    .orderBy(desc(familyInvitation.createdAt));
  return {
    walletId: w.id,
    cycle,
    plan,
    pool: { available: bal.available, held: bal.held, total: bal.total, granted: grantedOf(bal) },
    members,
    invitations: invitations.map((i) => ({ ...i, phone: maskPhone(i.phone) })),
    seatsUsed: members.length + invitations.length,
  };
}

export type MemberFamilyView = {
  walletId: string;
  cycle: string;
  owner: { name: string | null; phone: string };
  poolAvailable: bigint;
  poolGranted: bigint;
  capTokens: bigint | null;
  /** What the payer approved on top of the cap this cycle (问户主). */
  capExtra: bigint;
  paused: boolean;
  used: bigint;
  held: bigint;
  joinedAt: Date;
};

/** What a member sees: the pool left, their own cap and their own spend — nobody else's. */
export async function getMemberFamilyView(db: Database, { userId, now }: { userId: string; now: Date }): Promise<MemberFamilyView | null> {
  const m = await getFamilyMembership(db, { userId });
  if (!m || m.role !== "member") return null;
  const cycle = cycleOf(now);
  const [owner] = await db.select({ name: user.name, phone: user.phone }).from(user).where(eq(user.id, m.ownerUserId));
  const bal = await getBalance(db, { walletId: m.walletId, now });
  const [row] = await db
    .select({ joinedAt: walletMember.joinedAt })
    .from(walletMember)
    .where(and(eq(walletMember.walletId, m.walletId), eq(walletMember.userId, userId)));
  const spend = (await spendFor(db, m.walletId, cycle)).get(userId);
  return {
    walletId: m.walletId,
    cycle,
    owner: { name: owner?.name ?? null, phone: maskPhone(owner?.phone ?? "") },
    poolAvailable: bal.available,
    poolGranted: grantedOf(bal),
    capTokens: m.capTokens,
    capExtra: spend?.capExtra ?? 0n,
    paused: m.paused,
    used: spend?.used ?? 0n,
    held: spend?.held ?? 0n,
    joinedAt: row?.joinedAt ?? now,
  };
}
