import { and, eq, sql } from "drizzle-orm";
import type { Database } from "@/lib/db/types";
import { sendConfirmThreshold, wallet, walletMember } from "@/lib/db/schema";
import { getFamilyMembership } from "@/lib/family";
import { DomainError } from "@/lib/core/errors";

/** The largest threshold anyone may set: far above any single hold. */
export const CONFIRM_THRESHOLD_MAX = 10_000_000_000n;

export type ConfirmThresholds = {
  /** The one the user set. */
  self: bigint | null;
  /** The one their family's owner set for them (only while they are in that family). */
  owner: bigint | null;
  /** What applies: the lower of the two, or null for "never ask". */
  effective: bigint | null;
};

function check(tokens: bigint | null) {
  if (tokens !== null && (tokens <= 0n || tokens > CONFIRM_THRESHOLD_MAX)) throw new DomainError("invalid_threshold", "invalid_threshold");
}

/** The thresholds that apply to a user's sends now. */
export async function getConfirmThresholds(db: Database, { userId }: { userId: string }): Promise<ConfirmThresholds> {
  const rows = await db
    .select({
      self: sendConfirmThreshold.selfTokens,
      owner: sendConfirmThreshold.ownerTokens,
      // The owner's threshold holds only while the user is an active member of that family.
      stillMember: sql<boolean>`exists (select 1 from ${walletMember} where ${walletMember.walletId} = ${sendConfirmThreshold.ownerWalletId}
        and ${walletMember.userId} = ${sendConfirmThreshold.userId} and ${walletMember.status} = 'active' and ${walletMember.role} = 'member')`,
    })
    .from(sendConfirmThreshold)
    .where(eq(sendConfirmThreshold.userId, userId))
    .limit(1);
  const r = rows[0];
  const self = r?.self ?? null;
  const owner = r && r.stillMember ? (r.owner ?? null) : null;
  const effective = self === null ? owner : owner === null ? self : self < owner ? self : owner;
  return { self, owner, effective };
}

/** Sets (or clears, with null) the user's own threshold. */
export async function setOwnConfirmThreshold(db: Database, { userId, tokens, now }: { userId: string; tokens: bigint | null; now: Date }): Promise<void> {
  check(tokens);
  await db
    .insert(sendConfirmThreshold)
    .values({ userId, selfTokens: tokens, updatedAt: now })
    .onConflictDoUpdate({ target: sendConfirmThreshold.userId, set: { selfTokens: tokens, updatedAt: now } });
}

/**
 * A family owner sets (or clears) a member's threshold. Only the owner of the family the member
 * is active in may; the member cannot lift it (the lower of theirs and the owner's applies).
 */
export async function setMemberConfirmThreshold(
  db: Database,
  { ownerUserId, memberUserId, tokens, now }: { ownerUserId: string; memberUserId: string; tokens: bigint | null; now: Date },
): Promise<void> {
  check(tokens);
  const m = await getFamilyMembership(db, { userId: memberUserId });
  if (!m || m.role !== "member" || m.ownerUserId !== ownerUserId) throw new DomainError("not_found", "not_found");
  const [w] = await db
    .select({ id: wallet.id })
    .from(wallet)
    .where(and(eq(wallet.id, m.walletId), eq(wallet.ownerUserId, ownerUserId)))
    .limit(1);
  if (!w) throw new DomainError("not_found", "not_found");
  await db
    .insert(sendConfirmThreshold)
    .values({ userId: memberUserId, ownerTokens: tokens, ownerWalletId: w.id, updatedAt: now })
    .onConflictDoUpdate({ target: sendConfirmThreshold.userId, set: { ownerTokens: tokens, ownerWalletId: w.id, updatedAt: now } });
}

/**
 * The send's gate (the pipeline's beforeReserve): a hold above the user's threshold is refused
 * with confirm_required unless the user confirmed at least that amount.
 */
export function confirmGate(thresholds: Promise<ConfirmThresholds>, confirmedUpTo: bigint | undefined) {
  return async (holdAmount: bigint): Promise<{ ok: true } | { ok: false; code: string }> => {
    const { effective } = await thresholds;
    return within(holdAmount, effective, confirmedUpTo) ? { ok: true } : { ok: false, code: "confirm_required" };
  };
}

function within(amount: bigint, effective: bigint | null, confirmedUpTo: bigint | undefined): boolean {
  return effective === null || amount <= effective || (confirmedUpTo !== undefined && amount <= confirmedUpTo);
}

/**
 * One gate shared by the columns of a side-by-side send: the threshold and the confirmation are
 * for the question's total, so each column's hold is counted with the holds the columns before it
 * took, and the column that would take the total above them is refused with confirm_required (its
 * hold is then not counted). The screen confirms the total before sending; this keeps a client that
 * skips that step from holding more than was confirmed, whatever the column order.
 */
export function sharedConfirmGate(thresholds: Promise<ConfirmThresholds>, confirmedUpTo: bigint | undefined) {
  let held = 0n;
  return async (holdAmount: bigint): Promise<{ ok: true } | { ok: false; code: string }> => {
    const { effective } = await thresholds;
    // Counted after the await: the columns' gates run one at a time between awaits.
    if (!within(held + holdAmount, effective, confirmedUpTo)) return { ok: false, code: "confirm_required" };
    held += holdAmount;
    return { ok: true };
  };
}
