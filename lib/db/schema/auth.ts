import { sql } from "drizzle-orm";
import { index, integer, pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";

export const user = pgTable("user", {
  id: uuid("id").primaryKey().defaultRandom(),
  phone: text("phone").notNull().unique(),
  name: text("name"),
  role: text("role", { enum: ["subscriber", "support"] })
    .notNull()
    .default("subscriber"),
  locale: text("locale", { enum: ["zh-CN", "en"] }),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  lastSignInAt: timestamp("last_sign_in_at", { withTimezone: true }),
});
export type User = typeof user.$inferSelect;

/** Server-side record of each signed-in browser, so a session can be revoked. */
export const authSession = pgTable(
  "auth_session",
  {
    id: text("id").primaryKey(),
    userId: uuid("user_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    /** Set when next-auth turns this session into a cookie; a session is claimed once. */
    claimedAt: timestamp("claimed_at", { withTimezone: true }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
    ip: text("ip"),
    userAgent: text("user_agent"),
  },
  (t) => [index("auth_session_user_idx").on(t.userId)],
);
export type AuthSession = typeof authSession.$inferSelect;

/** One-time codes, stored hashed. */
export const smsCode = pgTable(
  "sms_code",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    phone: text("phone").notNull(),
    purpose: text("purpose").notNull(),
    codeHash: text("code_hash").notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    attempts: integer("attempts").notNull().default(0),
    consumedAt: timestamp("consumed_at", { withTimezone: true }),
    ip: text("ip"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("sms_code_phone_idx").on(t.phone, t.purpose, t.createdAt),
    index("sms_code_ip_idx").on(t.ip, t.createdAt),
    // The global hourly SMS budget counts every code sent in the last hour.
    index("sms_code_created_idx").on(t.createdAt),
  ],
);
export type SmsCode = typeof smsCode.$inferSelect;

/**
 * Codes of one purpose locked for a phone after wrong tries: from one client (`client` = its IP)
 * or, with `client` = '', from everywhere. `strikes` counts locks in a row, so each lasts longer.
 */
export const smsLockout = pgTable(
  "sms_lockout",
  {
    phone: text("phone").notNull(),
    purpose: text("purpose").notNull().default("sign_in"),
    client: text("client").notNull().default(""),
    lockedUntil: timestamp("locked_until", { withTimezone: true }).notNull(),
    strikes: integer("strikes").notNull().default(0),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ name: "sms_lockout_pk", columns: [t.phone, t.purpose, t.client] })],
);

/** Every wrong code tried, per phone and client, across codes and purposes (kept a day). */
export const otpFailure = pgTable(
  "otp_failure",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    phone: text("phone").notNull(),
    client: text("client").notNull(),
    purpose: text("purpose").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("otp_failure_phone_idx").on(t.phone, t.createdAt)],
);

/** Every SMS sent; the console sender's dev inbox reads from here. */
export const smsMessage = pgTable(
  "sms_message",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    phone: text("phone").notNull(),
    body: text("body").notNull(),
    kind: text("kind").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("sms_message_created_idx").on(t.createdAt)],
);
export type SmsMessage = typeof smsMessage.$inferSelect;

export const nowSql = sql`now()`;
