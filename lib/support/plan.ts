import { and, desc, eq } from "drizzle-orm";
import type { Database } from "@/lib/db/types";
import { auditLog, subscription, user } from "@/lib/db/schema";
import { DomainError } from "@/lib/core/errors";
import { getTier } from "@/lib/plans/tiers";
import { cancelPlanOnBehalf, changePlanOnBehalf, quoteChangeOnBehalf, type OnBehalfQuote } from "@/lib/plans/on-behalf";
import { requestCode, verifyCode } from "@/lib/auth/otp";
import { findAuditByKey, runAudited } from "./audit";
import { auditRefusal, refuseSelfDealing, walletsOwnedBy } from "./guard";
import type { StaffCtx } from "./actions";
import type { CarrierBillingAdapter } from "@/lib/billing/carrier";

/**
 * What texting and checking a purchase code need besides the customer's phone: the sender,
 * pepper, requesting IP and limits, as lib/auth/otp takes them (built by the server action).
 */
export type PurchaseCodeSend = Omit<Parameters<typeof requestCode>[1], "phone" | "purpose" | "now" | "codeOverride">;
export type PurchaseCodeCheck = Omit<Parameters<typeof verifyCode>[1], "phone" | "purpose" | "code" | "now">;

const reasonText = (ctx: StaffCtx) => `support:${ctx.reasonCode}${ctx.note.trim() ? `: ${ctx.note.trim().slice(0, 200)}` : ""}`;

async function planState(db: Database, userId: string) {
  const [s] = await db
    .select({
      tierId: subscription.tierId,
      status: subscription.status,
      scheduledAction: subscription.scheduledAction,
      scheduledTierId: subscription.scheduledTierId,
      currentCycle: subscription.currentCycle,
    })
    .from(subscription)
    .where(eq(subscription.userId, userId));
  return s ?? { tierId: null, status: "none", scheduledAction: null, scheduledTierId: null, currentCycle: null };
}

async function customerPhone(db: Database, userId: string): Promise<string> {
  const [u] = await db.select({ phone: user.phone }).from(user).where(eq(user.id, userId));
  if (!u) throw new DomainError("account_not_found");
  return u.phone;
}

/** A plan action is self-dealing when the account is the staff member's or heads a pool they spend from. */
async function refuseOwnPlan(
  db: Database,
  ctx: StaffCtx & { targetUserId: string; attempted: "change_plan" | "cancel_plan" | "purchase_code_sent"; tierId?: string },
) {
  await refuseSelfDealing(db, { ...ctx, walletIds: await walletsOwnedBy(db, ctx.targetUserId), details: ctx.tierId ? { tierId: ctx.tierId } : undefined });
}

const quoteJson = (q: OnBehalfQuote) => ({ tierId: q.tierId, kind: q.kind, priceFen: q.priceFen, tokens: q.tokens });

/** Details for a refused code, in the shape the error messages take ({seconds}, {minutes}, {attemptsLeft}). */
function codeDetails(r: { code: string } & Record<string, unknown>): Record<string, unknown> | undefined {
  if (typeof r.retryAfterSeconds === "number") return { seconds: r.retryAfterSeconds };
  if (typeof r.attemptsLeft === "number") return { attemptsLeft: r.attemptsLeft };
  if (r.lockedUntil instanceof Date) return { minutes: Math.max(1, Math.ceil((r.lockedUntil.getTime() - Date.now()) / 60_000)) };
  return undefined;
}

/** What the staff member may do now for this account and tier: free, or a purchase that needs the customer's code. */
export async function quotePlanChangeForUser(db: Database, { targetUserId, tierId, now }: { targetUserId: string; tierId: string; now: Date }) {
  return quoteChangeOnBehalf(db, { userId: targetUserId, tierId, now });
}

/**
 * Texts a purchase code to the customer's phone (lib/auth/otp, purpose "purchase") so they can
 * confirm a paid plan change staff make for them by reading it back. Only for a change that
 * charges; audited with the plan and price it was sent for (never the number or the code).
 */
export async function sendPurchaseCodeForUser(
  db: Database,
  { targetUserId, tierId, otp, ...ctx }: StaffCtx & { targetUserId: string; tierId: string; otp: PurchaseCodeSend },
) {
  if (!getTier(tierId)) throw new DomainError("unknown_tier");
  const phone = await customerPhone(db, targetUserId);
  await refuseOwnPlan(db, { ...ctx, targetUserId, attempted: "purchase_code_sent", tierId });
  const prior = await findAuditByKey(db, ctx.idempotencyKey);
  if (prior) {
    const { audit, replayed } = await runAudited(db, { ...ctx, action: "purchase_code_sent", targetUserId }, async () => ({
      before: null,
      after: null,
      result: null,
    }));
    const after = (audit.after ?? {}) as { expiresAt?: string };
    return { expiresAt: after.expiresAt ? new Date(after.expiresAt) : ctx.now, auditId: audit.id, replayed };
  }
  const q = await quoteChangeOnBehalf(db, { userId: targetUserId, tierId, now: ctx.now });
  if (!q.paid) throw new DomainError("purchase_code_not_needed", "this change is free and needs no code", { kind: q.kind });
  const r = await requestCode(db, { ...otp, phone, purpose: "purchase", now: ctx.now });
  const { audit, replayed } = await runAudited(db, { ...ctx, action: "purchase_code_sent", targetUserId }, async () => ({
    before: quoteJson(q),
    after: r.ok ? { sent: true, expiresAt: r.expiresAt } : { sent: false, refused: r.code },
    result: null,
  }));
  if (!r.ok) throw new DomainError(r.code, "the code was not sent", codeDetails(r as { code: string } & Record<string, unknown>));
  return { expiresAt: r.expiresAt, auditId: audit.id, replayed };
}

/** The plan the newest purchase code texted to this customer by staff was sent for. */
async function planOfLastCodeSent(db: Database, targetUserId: string): Promise<string | null> {
  const [row] = await db
    .select({ before: auditLog.before, after: auditLog.after })
    .from(auditLog)
    .where(and(eq(auditLog.action, "purchase_code_sent"), eq(auditLog.targetUserId, targetUserId)))
    .orderBy(desc(auditLog.at), desc(auditLog.id))
    .limit(5);
  if (!row || (row.after as { sent?: boolean } | null)?.sent !== true) return null;
  return (row.before as { tierId?: string } | null)?.tierId ?? null;
}

/**
 * Changes the account's plan on its behalf through lib/plans. Never the staff member's own
 * account or a family pool they spend from. A change that charges the phone bill (subscribe,
 * upgrade) needs the purchase code texted to the customer, read back to staff; free changes
 * (downgrade at cycle end, undo) need none. Every refusal is audited; a failed carrier charge is
 * recorded as the outcome.
 */
export async function changePlanForUser(
  db: Database,
  {
    targetUserId,
    tierId,
    purchaseCode,
    otp,
    carrier,
    ...ctx
  }: StaffCtx & { targetUserId: string; tierId: string; purchaseCode?: string | null; otp?: PurchaseCodeCheck; carrier: CarrierBillingAdapter },
) {
  if (!getTier(tierId)) throw new DomainError("unknown_tier");
  const phone = await customerPhone(db, targetUserId);
  await refuseOwnPlan(db, { ...ctx, targetUserId, attempted: "change_plan", tierId });

  const refuse = async (q: Partial<ReturnType<typeof quoteJson>>, code: string, details?: Record<string, unknown>): Promise<never> => {
    await auditRefusal(db, { ...ctx, action: "purchase_code_rejected", targetUserId, before: { tierId, ...q }, after: { refused: code, ...details } });
    throw new DomainError(code, "the purchase was not confirmed", details);
  };

  let confirmedBy: "purchase_code" | null = null;
  // A resubmitted form replays inside runAudited; its code was already used.
  if (!(await findAuditByKey(db, ctx.idempotencyKey))) {
    const q = await quoteChangeOnBehalf(db, { userId: targetUserId, tierId, now: ctx.now });
    if (q.paid) {
      if (!purchaseCode) await refuse(quoteJson(q), "purchase_code_required");
      // The customer was told which plan and price the code confirms: it confirms that one only.
      const sentFor = await planOfLastCodeSent(db, targetUserId);
      if (sentFor && sentFor !== tierId) await refuse(quoteJson(q), "purchase_code_other_plan", { codeTierId: sentFor });
      if (!otp) throw new Error("changePlanForUser: checking a purchase code needs the pepper");
      const v = await verifyCode(db, { ...otp, phone, purpose: "purchase", code: purchaseCode!, now: ctx.now });
      if (!v.ok) await refuse(quoteJson(q), v.code, codeDetails(v as { code: string } & Record<string, unknown>));
      confirmedBy = "purchase_code";
    }
  }

  try {
    const { audit, replayed } = await runAudited(db, { ...ctx, action: "change_plan", targetUserId }, async (tx) => {
      const before = await planState(tx, targetUserId);
      const r = await changePlanOnBehalf(tx, {
        userId: targetUserId,
        tierId,
        actorUserId: ctx.actorUserId,
        reason: reasonText(ctx),
        now: ctx.now,
        adapter: carrier,
        confirmation: confirmedBy ?? "none",
      });
      const after = await planState(tx, targetUserId);
      return { before, after: { ...after, outcome: r.action, chargeId: "chargeId" in r ? r.chargeId : null, confirmedBy }, result: r.action };
    });
    return { auditId: audit.id, replayed, outcome: (audit.after as { outcome?: string } | null)?.outcome ?? null };
  } catch (err) {
    // The plan changed between the check and the change, and now it would charge: refused, on the record.
    if (err instanceof DomainError && err.code === "purchase_code_required") await refuse({ ...(err.details ?? {}) }, "purchase_code_required");
    throw err;
  }
}

/** Cancels the account's plan on its behalf (free: takes effect at the end of the cycle). */
export async function cancelPlanForUser(db: Database, { targetUserId, ...ctx }: StaffCtx & { targetUserId: string }) {
  await refuseOwnPlan(db, { ...ctx, targetUserId, attempted: "cancel_plan" });
  const { audit, replayed } = await runAudited(db, { ...ctx, action: "cancel_plan", targetUserId }, async (tx) => {
    const before = await planState(tx, targetUserId);
    const r = await cancelPlanOnBehalf(tx, { userId: targetUserId, actorUserId: ctx.actorUserId, reason: reasonText(ctx), now: ctx.now });
    const after = await planState(tx, targetUserId);
    return { before, after: { ...after, outcome: r.action }, result: null };
  });
  return { auditId: audit.id, replayed };
}
