import { sql } from "drizzle-orm";
import { check, index, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { user } from "./auth";
import { usage } from "./ledger";

/**
 * "申诉": a user's question about one charged reply (a usage row), answered by staff with an
 * explanation or a refund (through the audited refund path). One open ticket per usage row.
 */
export const disputeTicket = pgTable(
  "dispute_ticket",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    usageId: uuid("usage_id")
      .notNull()
      .references(() => usage.id),
    /** Who opened it: always the usage row's own user. */
    userId: uuid("user_id")
      .notNull()
      .references(() => user.id),
    /** What the user says is wrong (may be empty). */
    note: text("note").notNull().default(""),
    status: text("status", { enum: ["open", "answered"] })
      .notNull()
      .default("open"),
    resolution: text("resolution", { enum: ["explained", "refunded"] }),
    /** Staff's answer, shown to the user. */
    answer: text("answer"),
    answeredBy: uuid("answered_by").references(() => user.id),
    answeredAt: timestamp("answered_at", { withTimezone: true }),
    /**
     * The audit row of the answer (the refund's, when refunded). No foreign key: a key into
     * audit_log would make TRUNCATE fail on the key before the append-only trigger can refuse it.
     */
    auditId: uuid("audit_id"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("dispute_ticket_one_open").on(t.usageId).where(sql`${t.status} = 'open'`),
    index("dispute_ticket_queue_idx").on(t.status, t.createdAt),
    index("dispute_ticket_user_idx").on(t.userId, t.createdAt),
    check(
      "dispute_ticket_answer_complete",
      sql`(${t.status} = 'open' AND ${t.resolution} IS NULL AND ${t.answeredAt} IS NULL) OR (${t.status} = 'answered' AND ${t.resolution} IS NOT NULL AND ${t.answer} IS NOT NULL AND ${t.answeredBy} IS NOT NULL AND ${t.answeredAt} IS NOT NULL)`,
    ),
  ],
);
export type DisputeTicket = typeof disputeTicket.$inferSelect;
