import type { Database } from "@/lib/db/types";
import { DomainError } from "@/lib/errors";
import type { CarrierBillingAdapter } from "@/lib/billing/carrier";
import { cancelPlan, changePlan, undoScheduledChange } from "./subscriptions";

type OnBehalf = { userId: string; actorUserId: string; reason: string; now: Date };

function requireReason(reason: string) {
  if (!reason.trim()) throw new DomainError("reason_required", "a reason is required");
}

/** Customer service changes a subscriber's plan (same rules and charges; actor and reason recorded). */
export async function changePlanOnBehalf(db: Database, opts: OnBehalf & { tierId: string; adapter?: CarrierBillingAdapter }) {
  requireReason(opts.reason);
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
