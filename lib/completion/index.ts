export { startMeteredCompletion, usageRequestId, DEFAULT_MAX_OUTPUT_TOKENS } from "./complete";
export { computeCharge, holdFor, type Charge, type ChargeInput, type ProviderUsage } from "./charge";
export { flushAfterSettle } from "./alerts";
export { runHoldSweep } from "./sweep";
export type { UpstreamCall } from "./upstream";
export type * from "./types";
