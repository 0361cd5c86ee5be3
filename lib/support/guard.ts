import { randomUUID } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import type { Database } from "@/lib/db/types";
import { auditLog, supportDailyTotal, wallet, walletMember } from "@/lib/db/schema";
import { DomainError } from "@/lib/core/errors";
import { GOODWILL_DAILY_ACCOUNT_LIMIT, GOODWILL_DAILY_STAFF_LIMIT, SUPPORT_TIME_ZONE, type AuditAction, type ReasonCode } from "./config";
import { toAuditJson, type AuditJson } from "./audit";

type Attempt = { actorUserId: string; reasonCode: ReasonCode; note: string; idempotencyKey: string; now: Date };

/**
 * What a staff member stands to gain from: their own user id, and every wallet they could
 * spend from — the ones they own (personal, the family they head) and the family pools they
 * are an active member of.
 */
export async function staffStake(db: Database, staffUserId: string): Promise<{ userId: string; walletIds: Set<string> }> {
  const owned = await db.select({ id: wallet.id }).from(wallet).where(eq(wallet.ownerUserId, staffUserId));
  const member = await db
    .select({ id: walletMember.walletId })
    .from(walletMember)
    .where(and(eq(walletMember.userId, staffUserId), eq(walletMember.status, "active")));
  return { userId: staffUserId, walletIds: new Set([...owned, ...member].map((w) => w.id)) };
}

/** Wallets an account owns: where a plan change on its behalf puts tokens. */
export async function walletsOwnedBy(db: Database, userId: string): Promise<string[]> {
  return (await db.select({ id: wallet.id }).from(wallet).where(eq(wallet.ownerUserId, userId))).map((w) => w.id);
}

/**
 * Writes an audit row for an attempt that was refused, outside the refused action's own
 * transaction (which rolls back). It takes its own key, so the form can still be submitted
 * once the reason for the refusal is gone (e.g. with the right purchase code).
 */
export async function auditRefusal(
  db: Database,
  attempt: Attempt & {
    action: Extract<AuditAction, "self_dealing_refused" | "purchase_code_rejected">;
    targetUserId: string | null;
    before: AuditJson;
    after: AuditJson;
  },
): Promise<void> {
  await db.insert(auditLog).values({
    at: attempt.now,
    actorUserId: attempt.actorUserId,
    action: attempt.action,
    targetUserId: attempt.targetUserId,
    reasonCode: attempt.reasonCode,
    note: attempt.note.trim(),
    before: toAuditJson(attempt.before) as AuditJson,
    after: toAuditJson(attempt.after) as AuditJson,
    idempotencyKey: `${attempt.idempotencyKey}:refused:${randomUUID()}`,
  });
}

/**
 * Refuses (and audits) a staff action whose beneficiary is the staff member: the target account
 * is their own, or the wallet it credits is one they spend from. Throws `self_dealing`.
 */
export async function refuseSelfDealing(
  db: Database,
  attempt: Attempt & { attempted: AuditAction; targetUserId: string; walletIds: (string | null | undefined)[]; details?: Record<string, unknown> },
): Promise<void> {
  const stake = await staffStake(db, attempt.actorUserId);
  const wallets = attempt.walletIds.filter((w): w is string => !!w);
  const hit = attempt.targetUserId === stake.userId ? "own_account" : wallets.find((w) => stake.walletIds.has(w)) ? "own_wallet" : null;
  if (!hit) return;
  await auditRefusal(db, {
    ...attempt,
    action: "self_dealing_refused",
    before: { attempted: attempt.attempted, walletId: wallets[0] ?? null, ...attempt.details },
    after: { refused: "self_dealing", why: hit },
  });
  throw new DomainError("self_dealing", "staff cannot act on an account or wallet they benefit from", { why: hit });
}

/** "YYYY-MM-DD" of the support day (Asia/Shanghai) that contains `at`. */
export function supportDayOf(at: Date): string {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone: SUPPORT_TIME_ZONE, year: "numeric", month: "2-digit", day: "2-digit" }).formatToParts(at);
  const get = (type: string) => parts.find((p) => p.type === type)!.value;
  return `${get("year")}-${get("month")}-${get("day")}`;
}

export type DailyLimits = { staff: bigint; account: bigint };
export const DAILY_LIMITS: DailyLimits = { staff: GOODWILL_DAILY_STAFF_LIMIT, account: GOODWILL_DAILY_ACCOUNT_LIMIT };

/**
 * Adds `amount` to one day's total if it stays within `limit`, in one statement: the upsert
 * locks the row and checks the latest committed total, so two concurrent credits cannot both
 * pass. Returns false (and changes nothing) when it would go over.
 */
async function raiseTotal(db: Database, o: { scope: "staff" | "account"; subjectId: string; day: string; amount: bigint; limit: bigint }): Promise<boolean> {
  if (o.amount > o.limit) return false;
  const rows = await db
    .insert(supportDailyTotal)
    .values({ scope: o.scope, subjectId: o.subjectId, day: o.day, total: o.amount })
    .onConflictDoUpdate({
      target: [supportDailyTotal.scope, supportDailyTotal.subjectId, supportDailyTotal.day],
      set: { total: sql`${supportDailyTotal.total} + excluded.total` },
      setWhere: sql`${supportDailyTotal.total} + excluded.total <= ${o.limit}`,
    })
    .returning({ total: supportDailyTotal.total });
  return rows.length === 1;
}

/**
 * Counts an unapproved goodwill credit against the staff member's and the account's totals of
 * the day, inside the credit's transaction. Keeps: neither total ever passes its limit; when one
 * would, nothing is counted and the caller must take the approval path instead.
 */
export async function takeDailyAllowance(
  db: Database,
  {
    actorUserId,
    targetUserId,
    amount,
    now,
    limits = DAILY_LIMITS,
  }: { actorUserId: string; targetUserId: string; amount: bigint; now: Date; limits?: DailyLimits },
): Promise<{ ok: true } | { ok: false; code: "daily_staff_total" | "daily_account_total" }> {
  const day = supportDayOf(now);
  // Always staff row first, then account row: one lock order, no deadlock between credits.
  if (!(await raiseTotal(db, { scope: "staff", subjectId: actorUserId, day, amount, limit: limits.staff }))) return { ok: false, code: "daily_staff_total" };
  if (!(await raiseTotal(db, { scope: "account", subjectId: targetUserId, day, amount, limit: limits.account }))) {
    // Give back what was just counted for the staff member (the row is still locked by us).
    await db
      .update(supportDailyTotal)
      .set({ total: sql`${supportDailyTotal.total} - ${amount}` })
      .where(and(eq(supportDailyTotal.scope, "staff"), eq(supportDailyTotal.subjectId, actorUserId), eq(supportDailyTotal.day, day)));
    return { ok: false, code: "daily_account_total" };
  }
  return { ok: true };
}
