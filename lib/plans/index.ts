export * from "./tiers";
export { prorate, remainingDays, upgradeProration, firstMonthProration, PRORATION_ROUNDING } from "./proration";
export { changePlan, cancelPlan, undoScheduledChange, buyPack, rollOverUser, getSubscription, type PlanChangeResult } from "./subscriptions";
export { runRollover, type RolloverReport } from "./rollover";
export { checkAllowanceAlerts, allowanceUsage, listActiveAlerts, dismissAlert } from "./allowance-alerts";
export { getPlanSummary, type PlanSummary } from "./summary";
export { changePlanOnBehalf, cancelPlanOnBehalf, undoScheduledChangeOnBehalf } from "./on-behalf";
export { walletForTier } from "./wallets";
export { quotePlans, type PlanQuote } from "./preview";
