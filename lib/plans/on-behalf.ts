import type { Database } from "@/lib/db/types";
import { DomainError } from "@/lib/core/errors";
import type { CarrierBillingAdapter } from "@/lib/billing/carrier";
import { cycleOf } from "@/lib/core/cycle";
import { getTier } from "./tiers";
import { firstMonthProration, upgradeProration } from "./proration";
import { cancelPlan, changePlan, getSubscription, rollOverUser, undoScheduledChange } from "./subscriptions";

type OnBehalf = { userId: string; actorUserId: string; reason: string; now: Date };

/** How the subscriber agreed to a charge made on their behalf ("none": they have not). */
export type PurchaseConfirmation = "purchase_code" | "none";

export type OnBehalfQuote =
  | { tierId: string; kind: "subscribe" | "upgrade"; paid: true; priceFen: bigint; tokens: bigint }
  | { tierId: string; kind: "downgrade" | "undo" | "current"; paid: false; priceFen: 0n; tokens: 0n };

function requireReason(reason: string) {
  if (!reason.trim()) throw new DomainError("reason_required", "a reason is required");
}

/**
 * What moving the subscriber to `tierId` would do now and whether it charges their phone bill.
 * A subscription whose cycle has passed is read as the rollover would leave it (a scheduled
 * cancel ends it, a scheduled downgrade applies).
 */
export async function quoteChangeOnBehalf(db: Database, { userId, tierId, now }: { userId: string; tierId: string; now: Date }): Promise<OnBehalfQuote> {
  const tier = getTier(tierId);
  if (!tier) throw new DomainError("unknown_tier", `no tier ${tierId}`);
  const sub = await getSubscription(db, { userId });
  let active = !!sub && sub.status === "active";
  let currentId = sub?.tierId ?? null;
  let scheduled = sub?.scheduledAction ?? null;
  if (sub && active && sub.currentCycle < cycleOf(now)) {
    if (sub.scheduledAction === "cancel") active = false;
    else if (sub.scheduledAction === "downgrade" && sub.scheduledTierId) currentId = sub.scheduledTierId;
    scheduled = null;
  }
  const current = active && currentId ? getTier(currentId) : undefined;
  if (!current) {
    const p = firstMonthProration(tier, now);
    return { tierId, kind: "subscribe", paid: true, priceFen: p.priceFen, tokens: p.tokens };
  }
  if (current.id === tier.id) return { tierId, kind: scheduled ? "undo" : "current", paid: false, priceFen: 0n, tokens: 0n };
  if (tier.priceFen > current.priceFen) {
    const p = upgradeProration(current, tier, now);
    return { tierId, kind: "upgrade", paid: true, priceFen: p.priceFen, tokens: p.tokens };
  }
  return { tierId, kind: "downgrade", paid: false, priceFen: 0n, tokens: 0n };
}

/**
 * Customer service changes a subscriber's plan (same rules and charges; actor and reason
 * recorded). With `confirmation: "none"` only free changes go through (downgrade at cycle end,
 * undo); a subscribe or upgrade, which charges the phone bill, is refused with
 * `purchase_code_required`. Callers that omit `confirmation` keep the unchecked behaviour.
 */
export async function changePlanOnBehalf(
  db: Database,
  opts: OnBehalf & { tierId: string; adapter: CarrierBillingAdapter; confirmation?: PurchaseConfirmation },
) {
  requireReason(opts.reason);
  if (opts.confirmation === "none") {
    // Bring the subscription into this cycle first, so the check sees what changePlan will act on.
    await rollOverUser(db, { userId: opts.userId, now: opts.now, adapter: opts.adapter });
    const q = await quoteChangeOnBehalf(db, opts);
    if (q.paid)
      throw new DomainError("purchase_code_required", "the customer must confirm a charge with the code texted to them", {
        kind: q.kind,
        priceFen: q.priceFen.toString(),
      });
  }
  return changePlan(db, opts);
}

/** Customer service schedules a subscriber's plan to end with this cycle. */
export async function cancelPlanOnBehalf(db: Database, opts: OnBehalf) {
  requireReason(opts.reason);
  return cancelPlan(db, opts);
}

export async function undoScheduledChangeOnBehalf(db: Database, opts: OnBehalf) {
  requireReason(opts.reason);
  return undoScheduledChange(db, opts);
}
