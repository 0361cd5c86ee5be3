/**
 * Customer-service rules as data: the fixed reason codes staff pick from, the per-action
 * goodwill cap above which a second staff member must approve, and other limits.
 */

/** A goodwill credit above this many tokens waits for a second staff member's approval. */
export const GOODWILL_APPROVAL_CAP = 5_000_000n;
/** No single goodwill credit may exceed this, approved or not. */
export const GOODWILL_MAX = 250_000_000n;
/**
 * Goodwill credits granted without a second approver, summed per Asia/Shanghai day: once a
 * staff member's total, or an account's total, would pass these, the next credit waits for
 * approval however small it is (many small credits must not add up to an unapproved large one).
 */
export const GOODWILL_DAILY_STAFF_LIMIT = 20_000_000n;
export const GOODWILL_DAILY_ACCOUNT_LIMIT = 10_000_000n;
/** The day the daily totals above are counted in. */
export const SUPPORT_TIME_ZONE = "Asia/Shanghai";
/** Goodwill credits expire after this many days. */
export const GOODWILL_CREDIT_DAYS = 90;
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
  "self_dealing_refused",
  "purchase_code_sent",
  "purchase_code_rejected",
  "answer_dispute",
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];
