import { sql } from "drizzle-orm";
import { bigint, check, index, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
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
