import { sql } from "drizzle-orm";
import { bigint, check, date, index, jsonb, pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { user } from "./auth";

/**
 * What customer-service staff did, to whom, why, with the state before and after.
 * Append-only: the code has no update/delete path and a trigger (migration
 * audit_log_append_only) makes the database refuse UPDATE, DELETE and TRUNCATE.
 */
export const auditLog = pgTable(
  "audit_log",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
    actorUserId: uuid("actor_user_id")
      .notNull()
      .references(() => user.id),
    action: text("action").notNull(),
    targetUserId: uuid("target_user_id").references(() => user.id),
    reasonCode: text("reason_code").notNull(),
    note: text("note").notNull().default(""),
    before: jsonb("before").$type<Record<string, unknown> | null>(),
    after: jsonb("after").$type<Record<string, unknown> | null>(),
    /** From the staff member's form: a resubmitted form replays instead of acting twice. */
    idempotencyKey: text("idempotency_key").notNull().unique(),
  },
  (t) => [
    index("audit_log_target_idx").on(t.targetUserId, t.at),
    index("audit_log_actor_idx").on(t.actorUserId, t.at),
    index("audit_log_action_idx").on(t.action, t.at),
    index("audit_log_at_idx").on(t.at),
  ],
);
export type AuditLog = typeof auditLog.$inferSelect;

/**
 * A goodwill credit above the per-action cap waits here for a second staff member. The
 * credit itself is granted only on approval; every step is also written to audit_log.
 */
export const supportApproval = pgTable(
  "support_approval",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    kind: text("kind", { enum: ["goodwill_credit"] }).notNull(),
    status: text("status", { enum: ["pending", "approved", "rejected"] })
      .notNull()
      .default("pending"),
    requestedBy: uuid("requested_by")
      .notNull()
      .references(() => user.id),
    requestedAt: timestamp("requested_at", { withTimezone: true }).notNull().defaultNow(),
    targetUserId: uuid("target_user_id")
      .notNull()
      .references(() => user.id),
    walletId: uuid("wallet_id").notNull(),
    amount: bigint("amount", { mode: "bigint" }).notNull(),
    reasonCode: text("reason_code").notNull(),
    note: text("note").notNull().default(""),
    idempotencyKey: text("idempotency_key").notNull().unique(),
    decidedBy: uuid("decided_by").references(() => user.id),
    decidedAt: timestamp("decided_at", { withTimezone: true }),
    decisionNote: text("decision_note"),
  },
  (t) => [index("support_approval_status_idx").on(t.status, t.requestedAt), index("support_approval_target_idx").on(t.targetUserId)],
);
export type SupportApproval = typeof supportApproval.$inferSelect;

/**
 * Goodwill credits granted without a second approver, per Asia/Shanghai day, per staff member
 * (scope "staff") and per account (scope "account"). Raised by one conditional upsert per row
 * inside the credit's transaction, so concurrent credits cannot both pass the day's limit.
 */
export const supportDailyTotal = pgTable(
  "support_daily_total",
  {
    scope: text("scope", { enum: ["staff", "account"] }).notNull(),
    subjectId: uuid("subject_id").notNull(),
    day: date("day", { mode: "string" }).notNull(),
    total: bigint("total", { mode: "bigint" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.scope, t.subjectId, t.day] }), check("support_daily_total_nonneg", sql`${t.total} >= 0`)],
);
export type SupportDailyTotal = typeof supportDailyTotal.$inferSelect;
