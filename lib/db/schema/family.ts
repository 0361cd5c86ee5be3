import { sql } from "drizzle-orm";
import { bigint, boolean, check, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { user } from "./auth";
import { wallet } from "./ledger";

/**
 * An invitation to join a family wallet, addressed to a phone number (the invitee may not have
 * an account yet). Pending invitations older than `expires_at` count as expired.
 */
export const familyInvitation = pgTable(
  "family_invitation",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    walletId: uuid("wallet_id")
      .notNull()
      .references(() => wallet.id),
    inviterUserId: uuid("inviter_user_id")
      .notNull()
      .references(() => user.id),
    phone: text("phone").notNull(),
    status: text("status", { enum: ["pending", "accepted", "declined", "revoked", "expired"] })
      .notNull()
      .default("pending"),
    /** Monthly cap the member starts with once they accept; null = no cap. */
    capTokens: bigint("cap_tokens", { mode: "bigint" }),
    /** The account that accepted or declined. */
    inviteeUserId: uuid("invitee_user_id").references(() => user.id),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    respondedAt: timestamp("responded_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // One open invitation per family and phone, so re-sending cannot pile up texts.
    uniqueIndex("family_invitation_pending_uniq").on(t.walletId, t.phone).where(sql`${t.status} = 'pending'`),
    index("family_invitation_phone_idx").on(t.phone, t.status),
    index("family_invitation_wallet_idx").on(t.walletId, t.createdAt),
    check("family_invitation_cap_nonneg", sql`${t.capTokens} IS NULL OR ${t.capTokens} >= 0`),
  ],
);
export type FamilyInvitation = typeof familyInvitation.$inferSelect;

/**
 * Which wallet pays for a family member's chats when they also have a plan of their own.
 * No row: the family pool pays.
 */
export const payingWalletPreference = pgTable("paying_wallet_preference", {
  userId: uuid("user_id")
    .primaryKey()
    .references(() => user.id),
  paysFrom: text("pays_from", { enum: ["family", "personal"] }).notNull(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});
export type PayingWalletPreference = typeof payingWalletPreference.$inferSelect;

/**
 * What the payer allows one family member (kids and elders): a model allowlist or economical
 * models only, a daily cap besides the monthly one, and quiet hours in Asia/Shanghai (minutes
 * after midnight; start > end wraps past midnight). No row: no such limits.
 */
export const familyControl = pgTable(
  "family_control",
  {
    walletId: uuid("wallet_id")
      .notNull()
      .references(() => wallet.id),
    userId: uuid("user_id")
      .notNull()
      .references(() => user.id),
    /** Model ids the member may use; null = any (subject to economyOnly). */
    allowedModels: jsonb("allowed_models").$type<string[]>(),
    economyOnly: boolean("economy_only").notNull().default(false),
    dailyCapTokens: bigint("daily_cap_tokens", { mode: "bigint" }),
    quietStartMin: integer("quiet_start_min"),
    quietEndMin: integer("quiet_end_min"),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.walletId, t.userId] }),
    check("family_control_daily_cap_nonneg", sql`${t.dailyCapTokens} IS NULL OR ${t.dailyCapTokens} >= 0`),
    check(
      "family_control_quiet",
      sql`(${t.quietStartMin} IS NULL) = (${t.quietEndMin} IS NULL) AND (${t.quietStartMin} IS NULL OR (${t.quietStartMin} BETWEEN 0 AND 1439 AND ${t.quietEndMin} BETWEEN 0 AND 1439 AND ${t.quietStartMin} <> ${t.quietEndMin}))`,
    ),
  ],
);
export type FamilyControl = typeof familyControl.$inferSelect;

/**
 * A member's spend on one Shanghai day: the daily cap's counter, claimed by one conditional
 * statement per request (held), settled to `used`. `extra` is what the payer approved for that day.
 */
export const memberDaySpend = pgTable(
  "member_day_spend",
  {
    walletId: uuid("wallet_id")
      .notNull()
      .references(() => wallet.id),
    userId: uuid("user_id")
      .notNull()
      .references(() => user.id),
    day: text("day").notNull(),
    used: bigint("used", { mode: "bigint" }).notNull().default(sql`0`),
    held: bigint("held", { mode: "bigint" }).notNull().default(sql`0`),
    extra: bigint("extra", { mode: "bigint" }).notNull().default(sql`0`),
    /** The payer let quiet hours pass for this day. */
    quietLifted: boolean("quiet_lifted").notNull().default(false),
    /** The payer let other models than the allowlist (or economical-only) pass for this day. */
    modelsLifted: boolean("models_lifted").notNull().default(false),
  },
  (t) => [primaryKey({ columns: [t.walletId, t.userId, t.day] }), check("member_day_spend_nonneg", sql`${t.used} >= 0 AND ${t.held} >= 0 AND ${t.extra} >= 0`)],
);

/** 问户主: a refused member asks the payer; the payer approves one day's extra allowance with one tap. */
export const familyRequest = pgTable(
  "family_request",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    walletId: uuid("wallet_id")
      .notNull()
      .references(() => wallet.id),
    memberUserId: uuid("member_user_id")
      .notNull()
      .references(() => user.id),
    /** Why the member was refused: quiet_hours, daily_cap_reached, model_not_allowed, cap_reached. */
    reason: text("reason").notNull(),
    day: text("day").notNull(),
    status: text("status", { enum: ["pending", "approved", "declined"] })
      .notNull()
      .default("pending"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
    respondedAt: timestamp("responded_at", { withTimezone: true }),
  },
  (t) => [
    // One open request per member and day, so asking again does not text the payer again.
    uniqueIndex("family_request_open_uniq").on(t.walletId, t.memberUserId, t.day).where(sql`${t.status} = 'pending'`),
    index("family_request_wallet_idx").on(t.walletId, t.createdAt),
  ],
);
export type FamilyRequest = typeof familyRequest.$inferSelect;
