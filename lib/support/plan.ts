import { eq } from "drizzle-orm";
import type { Database } from "@/lib/db/types";
import { subscription } from "@/lib/db/schema";
import { DomainError } from "@/lib/errors";
import { getTier } from "@/lib/plans/catalog";
import { cancelPlanOnBehalf, changePlanOnBehalf } from "@/lib/plans";
import { runAudited } from "./audit";
import type { StaffCtx } from "./actions";

const reasonText = (ctx: StaffCtx) => `support:${ctx.reasonCode}${ctx.note.trim() ? `: ${ctx.note.trim().slice(0, 200)}` : ""}`;

async function planState(db: Database, userId: string) {
  const [s] = await db
    .select({ tierId: subscription.tierId, status: subscription.status, scheduledAction: subscription.scheduledAction, scheduledTierId: subscription.scheduledTierId, currentCycle: subscription.currentCycle })
    .from(subscription)
    .where(eq(subscription.userId, userId));
  return s ?? { tierId: null, status: "none", scheduledAction: null, scheduledTierId: null, currentCycle: null };
}

/**
 * Changes the account's plan on its behalf through lib/plans (upgrade or subscribe now with a
 * phone-bill charge, downgrade at cycle end). A failed carrier charge is recorded as the outcome.
 */
export async function changePlanForUser(db: Database, { targetUserId, tierId, ...ctx }: StaffCtx & { targetUserId: string; tierId: string }) {
  if (!getTier(tierId)) throw new DomainError("unknown_tier");
  const { audit, replayed } = await runAudited(db, { ...ctx, action: "change_plan", targetUserId }, async (tx) => {
    const before = await planState(tx, targetUserId);
    const r = await changePlanOnBehalf(tx, { userId: targetUserId, tierId, actorUserId: ctx.actorUserId, reason: reasonText(ctx), now: ctx.now });
    const after = await planState(tx, targetUserId);
    return { before, after: { ...after, outcome: r.action, chargeId: "chargeId" in r ? r.chargeId : null }, result: r.action };
  });
  return { auditId: audit.id, replayed, outcome: (audit.after as { outcome?: string } | null)?.outcome ?? null };
}

/** Cancels the account's plan on its behalf (takes effect at the end of the cycle). */
export async function cancelPlanForUser(db: Database, { targetUserId, ...ctx }: StaffCtx & { targetUserId: string }) {
  const { audit, replayed } = await runAudited(db, { ...ctx, action: "cancel_plan", targetUserId }, async (tx) => {
    const before = await planState(tx, targetUserId);
    const r = await cancelPlanOnBehalf(tx, { userId: targetUserId, actorUserId: ctx.actorUserId, reason: reasonText(ctx), now: ctx.now });
    const after = await planState(tx, targetUserId);
    return { before, after: { ...after, outcome: r.action }, result: null };
  });
  return { auditId: audit.id, replayed };
}
