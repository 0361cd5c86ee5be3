import { and, asc, desc, eq, sql } from "drizzle-orm";
import type { Database } from "@/lib/db/types";
import { disputeTicket, usage, user, type DisputeTicket } from "@/lib/db/schema";
import { DomainError } from "@/lib/core/errors";
import { maskPhone } from "@/lib/core/format";
import { refundUsageRow } from "@/lib/support/actions";
import { runAudited } from "@/lib/support/audit";
import { refuseSelfDealing } from "@/lib/support/guard";
import { NOTE_MAX } from "@/lib/support/config";

/** A ticket should be answered within this many hours; the queue shows its age against it. */
export const DISPUTE_SLA_HOURS = 24;
/** Longest note a user may add when opening a ticket. */
export const DISPUTE_NOTE_MAX = 500;

export type DisputeErrorCode = "usage_not_found" | "dispute_open" | "already_refunded" | "dispute_not_found" | "dispute_not_open" | "answer_required";
const err = (code: DisputeErrorCode) => new DomainError(code, code);

function isUniqueViolation(e: unknown): boolean {
  for (let x: unknown = e; x && typeof x === "object"; x = (x as { cause?: unknown }).cause) {
    if ((x as { code?: string }).code === "23505") return true;
  }
  return false;
}

/**
 * Opens a 申诉 on one of the user's own charged replies. Only the usage row's own user may; a row
 * with a ticket still open gets no second one (the partial unique index decides, not a read).
 */
export async function openDispute(
  db: Database,
  { userId, usageId, note, now }: { userId: string; usageId: string; note: string; now: Date },
): Promise<DisputeTicket> {
  const [u] = await db.select({ userId: usage.userId, refundedAt: usage.refundedAt }).from(usage).where(eq(usage.id, usageId));
  if (!u || u.userId !== userId) throw err("usage_not_found");
  if (u.refundedAt) throw err("already_refunded");
  try {
    const [t] = await db
      .insert(disputeTicket)
      .values({ usageId, userId, note: note.trim().slice(0, DISPUTE_NOTE_MAX), createdAt: now })
      .returning();
    return t!;
  } catch (e) {
    if (isUniqueViolation(e)) throw err("dispute_open");
    throw e;
  }
}

/** The latest ticket on a usage row, for its own user only. */
export async function getDisputeForUsage(db: Database, { userId, usageId }: { userId: string; usageId: string }): Promise<DisputeTicket | null> {
  const [t] = await db
    .select()
    .from(disputeTicket)
    .where(and(eq(disputeTicket.usageId, usageId), eq(disputeTicket.userId, userId)))
    .orderBy(desc(disputeTicket.createdAt))
    .limit(1);
  return t ?? null;
}

export type QueueTicket = {
  id: string;
  usageId: string;
  userId: string;
  phoneMasked: string;
  name: string | null;
  note: string;
  status: "open" | "answered";
  resolution: "explained" | "refunded" | null;
  answer: string | null;
  createdAt: Date;
  answeredAt: Date | null;
  /** Minutes from opening to now (open) or to the answer. */
  ageMinutes: number;
  overdue: boolean;
  modelId: string;
  providerRoute: string;
  tokensIn: number;
  tokensOut: number;
  planTokens: bigint;
  usageStatus: string;
  usageCreatedAt: Date;
  refunded: boolean;
};

/** The support queue: open tickets oldest first, then the latest answered ones. */
export async function listDisputeQueue(
  db: Database,
  { now, answeredLimit = 20 }: { now: Date; answeredLimit?: number },
): Promise<{ open: QueueTicket[]; answered: QueueTicket[] }> {
  const base = () =>
    db
      .select({ t: disputeTicket, u: usage, phone: user.phone, name: user.name })
      .from(disputeTicket)
      .innerJoin(usage, eq(usage.id, disputeTicket.usageId))
      .innerJoin(user, eq(user.id, disputeTicket.userId));
  const [open, answered] = await Promise.all([
    base().where(eq(disputeTicket.status, "open")).orderBy(asc(disputeTicket.createdAt), asc(disputeTicket.id)).limit(200),
    base().where(eq(disputeTicket.status, "answered")).orderBy(desc(disputeTicket.answeredAt)).limit(answeredLimit),
  ]);
  const view = ({ t, u, phone, name }: (typeof open)[number]): QueueTicket => {
    const end = t.answeredAt ?? now;
    const ageMinutes = Math.max(0, Math.floor((end.getTime() - t.createdAt.getTime()) / 60_000));
    return {
      id: t.id,
      usageId: t.usageId,
      userId: t.userId,
      phoneMasked: maskPhone(phone),
      name,
      note: t.note,
      status: t.status,
      resolution: t.resolution,
      answer: t.answer,
      createdAt: t.createdAt,
      answeredAt: t.answeredAt,
      ageMinutes,
      overdue: ageMinutes > DISPUTE_SLA_HOURS * 60,
      modelId: u.modelId,
      providerRoute: u.providerRoute,
      tokensIn: u.tokensIn,
      tokensOut: u.tokensOut,
      planTokens: u.planTokens,
      usageStatus: u.status,
      usageCreatedAt: u.createdAt,
      refunded: u.refundedAt !== null,
    };
  };
  return { open: open.map(view), answered: answered.map(view) };
}

type StaffAnswer = { ticketId: string; actorUserId: string; answer: string; refund: boolean; idempotencyKey: string; now: Date };

/**
 * Staff answer a ticket: with an explanation, or with a refund of its usage row through the
 * support console's audited refund (which refuses staff acting on an account or wallet they
 * benefit from, and refunds a row once). Either way the answer is audited and shown to the user.
 */
export async function answerDispute(db: Database, input: StaffAnswer): Promise<{ ticket: DisputeTicket; auditId: string; replayed: boolean }> {
  const answer = input.answer.trim();
  if (!answer || answer.length > NOTE_MAX) throw err("answer_required");
  const [row] = await db
    .select({ t: disputeTicket, walletId: usage.walletId })
    .from(disputeTicket)
    .innerJoin(usage, eq(usage.id, disputeTicket.usageId))
    .where(eq(disputeTicket.id, input.ticketId));
  if (!row) throw err("dispute_not_found");
  const { t } = row;
  const ctx = { actorUserId: input.actorUserId, reasonCode: "billing_dispute" as const, note: answer, idempotencyKey: input.idempotencyKey, now: input.now };

  if (input.refund) {
    if (t.status !== "open" && t.resolution === "refunded") throw err("dispute_not_open");
    const r = await refundUsageRow(db, { targetUserId: t.userId, usageId: t.usageId, ...ctx });
    // The refund is the answer; an explanation given meanwhile is superseded by it.
    const [updated] = await db
      .update(disputeTicket)
      .set({ status: "answered", resolution: "refunded", answer, answeredBy: input.actorUserId, answeredAt: input.now, auditId: r.auditId })
      .where(and(eq(disputeTicket.id, t.id), sql`(${disputeTicket.status} = 'open' or ${disputeTicket.resolution} = 'explained')`))
      .returning();
    const [now] = updated ? [updated] : await db.select().from(disputeTicket).where(eq(disputeTicket.id, t.id));
    return { ticket: now!, auditId: r.auditId, replayed: r.replayed };
  }

  await refuseSelfDealing(db, {
    ...ctx,
    attempted: "answer_dispute",
    targetUserId: t.userId,
    walletIds: [row.walletId],
    details: { ticketId: t.id, usageId: t.usageId },
  });
  const { audit, replayed, result } = await runAudited(db, { ...ctx, action: "answer_dispute", targetUserId: t.userId }, async (tx) => {
    const [updated] = await tx
      .update(disputeTicket)
      .set({ status: "answered", resolution: "explained", answer, answeredBy: input.actorUserId, answeredAt: input.now })
      .where(and(eq(disputeTicket.id, t.id), eq(disputeTicket.status, "open")))
      .returning();
    if (!updated) throw err("dispute_not_open");
    return {
      before: { ticketId: t.id, usageId: t.usageId, status: "open" },
      after: { ticketId: t.id, status: "answered", resolution: "explained" },
      result: updated,
    };
  });
  const ticket = result ?? (await db.select().from(disputeTicket).where(eq(disputeTicket.id, t.id)))[0]!;
  if (!replayed) await db.update(disputeTicket).set({ auditId: audit.id }).where(eq(disputeTicket.id, t.id));
  return { ticket: { ...ticket, auditId: audit.id }, auditId: audit.id, replayed };
}
