/**
 * Customer-service rules as data: the fixed reason codes staff pick from, the per-action
 * goodwill cap above which a second staff member must approve, and other limits.
 */

/** A goodwill credit above this many tokens waits for a second staff member's approval. */
export const GOODWILL_APPROVAL_CAP = 5_000_000n;
/** No single goodwill credit may exceed this, approved or not. */
export const GOODWILL_MAX = 250_000_000n;
/** Goodwill credits expire after this many days. */
export const GOODWILL_CREDIT_DAYS = 90;
/** A hold younger than this is probably a live request, not a stuck one. */
export const STUCK_HOLD_MIN_AGE_MS = 5 * 60_000;
/** Longest note staff may write. */
export const NOTE_MAX = 500;

/** Why staff did something; every action and every unmasking carries one of these. */
export const REASON_CODES = [
  "billing_dispute",
  "service_outage",
  "wrong_charge",
  "duplicate_charge",
  "goodwill",
  "customer_request",
  "security_concern",
  "identity_verified",
  "other",
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

/** Every kind of audit row this console writes. */
export const AUDIT_ACTIONS = [
  "unmask_phone",
  "goodwill_credit",
  "goodwill_credit_requested",
  "goodwill_credit_approved",
  "goodwill_credit_rejected",
  "refund_usage",
  "release_hold",
  "change_plan",
  "cancel_plan",
  "clear_lockout",
  "sign_out_everywhere",
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];
