import { and, eq, inArray, isNull, gt, sql } from "drizzle-orm";
import type { Database } from "@/lib/db/types";
import { authSession, hold, supportApproval, usage, user, wallet, type AuditLog, type SupportApproval } from "@/lib/db/schema";
import { DomainError } from "@/lib/core/errors";
import { maskPhone } from "@/lib/core/format";
import { adjust, getBalance, refundUsage, releaseHold } from "@/lib/ledger";
import { clearLockout, getLockout } from "@/lib/auth/otp";
import { revokeAllSessions } from "@/lib/auth/accounts";
import { GOODWILL_APPROVAL_CAP, GOODWILL_CREDIT_DAYS, GOODWILL_MAX, type ReasonCode } from "./config";
import { findAuditByKey, runAudited, type AuditJson } from "./audit";
import { refuseSelfDealing, takeDailyAllowance, type DailyLimits } from "./guard";

/** What every staff action carries: who acts, why, and the form's idempotency key. */
export type StaffCtx = { actorUserId: string; reasonCode: ReasonCode; note: string; idempotencyKey: string; now: Date };

/** The namespaced key handed to the ledger, so a support key never collides with another module's. */
export const ledgerKey = (key: string) => `support:${key}`;

async function requireUser(db: Database, userId: string) {
  const [u] = await db.select({ id: user.id, phone: user.phone, name: user.name, role: user.role }).from(user).where(eq(user.id, userId));
  if (!u) throw new DomainError("account_not_found");
  return u;
}

async function balanceOf(db: Database, walletId: string, now: Date) {
  const b = await getBalance(db, { walletId, now });
  return { walletId, available: b.available, held: b.held, total: b.total };
}

/** A wallet the account owns (its personal wallet, or the family wallet it heads). */
async function ownedWallet(db: Database, { userId, walletId }: { userId: string; walletId?: string | null }) {
  const rows = await db
    .select({ id: wallet.id, kind: wallet.kind })
    .from(wallet)
    .where(and(eq(wallet.ownerUserId, userId), walletId ? eq(wallet.id, walletId) : eq(wallet.kind, "personal")));
  if (!rows[0]) throw new DomainError("wallet_not_found");
  return rows[0];
}

function creditReason(reasonCode: string, note: string) {
  return `support:${reasonCode}${note.trim() ? `: ${note.trim().slice(0, 200)}` : ""}`;
}

/**
 * Reveals an account's full phone number. Needs a reason; the revealing itself is audited
 * (the number is not copied into the log).
 */
export async function unmaskPhone(db: Database, { targetUserId, ...ctx }: StaffCtx & { targetUserId: string }): Promise<{ phone: string; replayed: boolean }> {
  const u = await requireUser(db, targetUserId);
  const { replayed } = await runAudited(db, { ...ctx, action: "unmask_phone", targetUserId }, async () => ({ before: null, after: null, result: null }));
  return { phone: u.phone, replayed };
}

/** Why a credit waits for a second staff member: its size, or the day's totals it would pass. */
export type ApprovalReason = "amount_cap" | "daily_staff_total" | "daily_account_total";

export type GoodwillResult =
  | { ok: true; status: "credited"; auditId: string; replayed: boolean }
  | { ok: true; status: "pending_approval"; approvalId: string; approvalReason: ApprovalReason; auditId: string; replayed: boolean };

/** The day's totals would pass their limit: this credit takes the approval path instead. */
class OverDailyTotal extends Error {
  constructor(readonly reason: "daily_staff_total" | "daily_account_total") {
    super(reason);
  }
}

function pendingOf(audit: AuditLog, replayed: boolean): GoodwillResult {
  const after = (audit.after ?? {}) as { approvalId?: string; approvalReason?: ApprovalReason };
  return {
    ok: true,
    status: "pending_approval",
    approvalId: after.approvalId ?? "",
    approvalReason: after.approvalReason ?? "amount_cap",
    auditId: audit.id,
    replayed,
  };
}

/**
 * A goodwill credit of `amount` tokens into a wallet the account owns. Never to the staff
 * member's own account or a wallet they spend from. Granted at once (ledger `adjust`) when it is
 * within GOODWILL_APPROVAL_CAP and within the day's totals for the staff member and the account;
 * otherwise an approval request waits for a second staff member.
 */
export async function grantGoodwill(
  db: Database,
  { targetUserId, walletId, amount, limits, ...ctx }: StaffCtx & { targetUserId: string; walletId?: string | null; amount: bigint; limits?: DailyLimits },
): Promise<GoodwillResult> {
  if (amount <= 0n || amount > GOODWILL_MAX) throw new DomainError("invalid_amount", undefined, { max: GOODWILL_MAX.toString() });
  await requireUser(db, targetUserId);
  const w = await ownedWallet(db, { userId: targetUserId, walletId });
  await refuseSelfDealing(db, { ...ctx, attempted: "goodwill_credit", targetUserId, walletIds: [w.id], details: { amount } });

  // A resubmitted form answers as it did the first time, whichever path that took.
  const replay = async () => {
    const prior = await findAuditByKey(db, ctx.idempotencyKey);
    if (!prior || prior.actorUserId !== ctx.actorUserId || prior.targetUserId !== targetUserId) return null;
    if (prior.action === "goodwill_credit_requested") return pendingOf(prior, true);
    if (prior.action === "goodwill_credit") return { ok: true as const, status: "credited" as const, auditId: prior.id, replayed: true };
    return null;
  };
  const first = await replay();
  if (first) return first;

  const requestApproval = async (approvalReason: ApprovalReason): Promise<GoodwillResult> => {
    const { audit, replayed } = await runAudited(db, { ...ctx, action: "goodwill_credit_requested", targetUserId }, async (tx) => {
      const [req] = await tx
        .insert(supportApproval)
        .values({
          kind: "goodwill_credit",
          requestedBy: ctx.actorUserId,
          requestedAt: ctx.now,
          targetUserId,
          walletId: w.id,
          amount,
          reasonCode: ctx.reasonCode,
          note: ctx.note.trim(),
          idempotencyKey: ctx.idempotencyKey,
        })
        .returning();
      return { before: null, after: { approvalId: req!.id, walletId: w.id, amount, status: "pending", approvalReason }, result: req! };
    });
    return pendingOf(audit, replayed);
  };

  if (amount > GOODWILL_APPROVAL_CAP) return requestApproval("amount_cap");

  try {
    const { audit, replayed } = await runAudited(db, { ...ctx, action: "goodwill_credit", targetUserId }, async (tx) => {
      const allowance = await takeDailyAllowance(tx, { actorUserId: ctx.actorUserId, targetUserId, amount, now: ctx.now, limits });
      if (!allowance.ok) throw new OverDailyTotal(allowance.code);
      const before = await balanceOf(tx, w.id, ctx.now);
      await adjust(tx, {
        walletId: w.id,
        amount,
        actorUserId: ctx.actorUserId,
        reason: creditReason(ctx.reasonCode, ctx.note),
        idempotencyKey: ledgerKey(ctx.idempotencyKey),
        expiresAt: new Date(ctx.now.getTime() + GOODWILL_CREDIT_DAYS * 86_400_000),
      });
      const after = await balanceOf(tx, w.id, ctx.now);
      return { before: { ...before, amount }, after, result: null };
    });
    return { ok: true as const, status: "credited" as const, auditId: audit.id, replayed };
  } catch (err) {
    if (!(err instanceof OverDailyTotal)) throw err;
    // The same form may have been credited meanwhile by a concurrent submission.
    return (await replay()) ?? requestApproval(err.reason);
  }
}

/** Pending (or all) approval requests, newest first, with who asked and for whom. */
export async function listApprovals(db: Database, { status }: { status?: SupportApproval["status"] } = {}) {
  const rows = await db
    .select()
    .from(supportApproval)
    .where(status ? eq(supportApproval.status, status) : undefined)
    .orderBy(sql`${supportApproval.requestedAt} desc`)
    .limit(100);
  const ids = [...new Set(rows.flatMap((r) => [r.requestedBy, r.targetUserId, r.decidedBy].filter((x): x is string => !!x)))];
  const people = ids.length ? await db.select({ id: user.id, name: user.name, phone: user.phone }).from(user).where(inArray(user.id, ids)) : [];
  const byId = new Map(people.map((p) => [p.id, p]));
  return rows.map((r) => ({
    ...r,
    requester: { id: r.requestedBy, name: byId.get(r.requestedBy)?.name ?? null },
    target: { id: r.targetUserId, name: byId.get(r.targetUserId)?.name ?? null, maskedPhone: maskPhone(byId.get(r.targetUserId)?.phone ?? "") },
    decider: r.decidedBy ? { id: r.decidedBy, name: byId.get(r.decidedBy)?.name ?? null } : null,
  }));
}

/**
 * Approves or rejects a pending large credit. The requester can never decide their own
 * request, and nobody can approve a credit to their own account or a wallet they spend from; the pending → decided step is one conditional update, so two approvers cannot both
 * grant it. On approval the credit goes through ledger `adjust` keyed by the request.
 */
export async function decideApproval(
  db: Database,
  { approvalId, decision, ...ctx }: StaffCtx & { approvalId: string; decision: "approve" | "reject" },
): Promise<{ ok: true; status: "approved" | "rejected"; auditId: string; replayed: boolean }> {
  const [req] = await db.select().from(supportApproval).where(eq(supportApproval.id, approvalId));
  if (!req) throw new DomainError("approval_not_found");
  if (req.requestedBy === ctx.actorUserId) throw new DomainError("cannot_approve_own");
  if (decision === "approve") {
    await refuseSelfDealing(db, {
      ...ctx,
      attempted: "goodwill_credit_approved",
      targetUserId: req.targetUserId,
      walletIds: [req.walletId],
      details: { approvalId, amount: req.amount },
    });
  }
  const action = decision === "approve" ? "goodwill_credit_approved" : "goodwill_credit_rejected";
  const { audit, replayed } = await runAudited(db, { ...ctx, action, targetUserId: req.targetUserId }, async (tx) => {
    const status = decision === "approve" ? "approved" : "rejected";
    const claimed = await tx
      .update(supportApproval)
      .set({ status, decidedBy: ctx.actorUserId, decidedAt: ctx.now, decisionNote: ctx.note.trim() || null })
      .where(and(eq(supportApproval.id, approvalId), eq(supportApproval.status, "pending")))
      .returning();
    if (!claimed[0]) throw new DomainError("approval_already_decided");
    let before: AuditJson = { approvalId, status: "pending", amount: req.amount, walletId: req.walletId, requestedBy: req.requestedBy };
    let after: AuditJson = { approvalId, status };
    if (decision === "approve") {
      const b = await balanceOf(tx, req.walletId, ctx.now);
      await adjust(tx, {
        walletId: req.walletId,
        amount: req.amount,
        actorUserId: ctx.actorUserId,
        reason: creditReason(req.reasonCode, req.note),
        idempotencyKey: ledgerKey(`approval:${approvalId}`),
        expiresAt: new Date(ctx.now.getTime() + GOODWILL_CREDIT_DAYS * 86_400_000),
      });
      const a = await balanceOf(tx, req.walletId, ctx.now);
      before = { ...before, ...b };
      after = { ...after, ...a };
    }
    return { before, after, result: null };
  });
  return { ok: true, status: decision === "approve" ? "approved" : "rejected", auditId: audit.id, replayed };
}

/** Refunds one metered request of this account: its plan tokens go back to the wallet. */
export async function refundUsageRow(db: Database, { targetUserId, usageId, ...ctx }: StaffCtx & { targetUserId: string; usageId: string }) {
  const [row] = await db
    .select({
      id: usage.id,
      userId: usage.userId,
      walletId: usage.walletId,
      planTokens: usage.planTokens,
      refundedAt: usage.refundedAt,
      modelId: usage.modelId,
    })
    .from(usage)
    .where(eq(usage.id, usageId));
  if (!row || row.userId !== targetUserId) throw new DomainError("usage_not_found");
  await refuseSelfDealing(db, { ...ctx, attempted: "refund_usage", targetUserId, walletIds: [row.walletId], details: { usageId, planTokens: row.planTokens } });
  const { audit, replayed } = await runAudited(db, { ...ctx, action: "refund_usage", targetUserId }, async (tx) => {
    if (row.refundedAt) throw new DomainError("already_refunded");
    const before = await balanceOf(tx, row.walletId, ctx.now);
    const refunded = await refundUsage(tx, {
      usageId,
      actorUserId: ctx.actorUserId,
      reason: `support:${ctx.reasonCode}`,
      idempotencyKey: ledgerKey(ctx.idempotencyKey),
    });
    // Refunded by someone else since the read above: nothing to record as this action.
    if (!refunded.ok) throw new DomainError("already_refunded");
    const after = await balanceOf(tx, row.walletId, ctx.now);
    return {
      before: { ...before, usageId, modelId: row.modelId, planTokens: row.planTokens, refunded: false },
      after: { ...after, usageId, refunded: true },
      result: null,
    };
  });
  return { auditId: audit.id, replayed };
}

/** Open holds on this account's wallets or by this account; stuck = no progress for its TTL (a live stream keeps pushing its expiry). */
export async function listOpenHolds(db: Database, { userId, now }: { userId: string; now: Date }) {
  const owned = await db.select({ id: wallet.id }).from(wallet).where(eq(wallet.ownerUserId, userId));
  const walletIds = owned.map((w) => w.id);
  const rows = await db
    .select({
      id: hold.id,
      walletId: hold.walletId,
      userId: hold.userId,
      amount: hold.amount,
      createdAt: hold.createdAt,
      expiresAt: hold.expiresAt,
      cycle: hold.cycle,
    })
    .from(hold)
    .where(and(eq(hold.state, "open"), walletIds.length ? sql`(${inArray(hold.walletId, walletIds)} or ${eq(hold.userId, userId)})` : eq(hold.userId, userId)))
    .orderBy(hold.createdAt);
  return rows.map((h) => ({ ...h, stuck: h.expiresAt <= now }));
}

/** Resolves a hold that never resolved (a crashed request): settled for what its stream recorded, the rest returned. */
export async function releaseStuckHold(db: Database, { targetUserId, holdId, ...ctx }: StaffCtx & { targetUserId: string; holdId: string }) {
  const open = await listOpenHolds(db, { userId: targetUserId, now: ctx.now });
  const h = open.find((x) => x.id === holdId);
  if (h) await refuseSelfDealing(db, { ...ctx, attempted: "release_hold", targetUserId, walletIds: [h.walletId], details: { holdId, holdAmount: h.amount } });
  const { audit, replayed } = await runAudited(db, { ...ctx, action: "release_hold", targetUserId }, async (tx) => {
    if (!h) throw new DomainError("hold_not_found");
    if (!h.stuck) throw new DomainError("hold_not_stuck");
    const before = await balanceOf(tx, h.walletId, ctx.now);
    const resolved = await releaseHold(tx, { holdId, actorUserId: ctx.actorUserId, reason: `support:${ctx.reasonCode}`, now: ctx.now });
    const after = await balanceOf(tx, h.walletId, ctx.now);
    return {
      before: { ...before, holdId, holdAmount: h.amount, state: "open" },
      after: { ...after, holdId, state: resolved.state, charged: resolved.charged },
      result: null,
    };
  });
  return { auditId: audit.id, replayed };
}

/** Lifts a sign-in code lockout on the account's phone. */
export async function clearCodeLockout(db: Database, { targetUserId, ...ctx }: StaffCtx & { targetUserId: string }) {
  const u = await requireUser(db, targetUserId);
  const { audit, replayed } = await runAudited(db, { ...ctx, action: "clear_lockout", targetUserId }, async (tx) => {
    const lockedUntil = await getLockout(tx, { phone: u.phone, now: ctx.now });
    const cleared = await clearLockout(tx, { phone: u.phone, now: ctx.now });
    return { before: { lockedUntil }, after: { lockedUntil: null, cleared }, result: null };
  });
  return { auditId: audit.id, replayed };
}

/** Signs the account out on every device. */
export async function signOutEverywhere(db: Database, { targetUserId, ...ctx }: StaffCtx & { targetUserId: string }) {
  await requireUser(db, targetUserId);
  const { audit, replayed } = await runAudited(db, { ...ctx, action: "sign_out_everywhere", targetUserId }, async (tx) => {
    const [{ n }] = await tx
      .select({ n: sql<number>`count(*)::int` })
      .from(authSession)
      .where(and(eq(authSession.userId, targetUserId), isNull(authSession.revokedAt), gt(authSession.expiresAt, ctx.now)));
    const revoked = await revokeAllSessions(tx, { userId: targetUserId, now: ctx.now });
    return { before: { liveSessions: n }, after: { liveSessions: 0, revoked }, result: null };
  });
  return { auditId: audit.id, replayed };
}
