import { sql } from "drizzle-orm";
import { bigint, check, pgTable, timestamp, uuid } from "drizzle-orm/pg-core";
import { user } from "./auth";
import { wallet } from "./ledger";

/**
 * "单条超过 N tokens 时先确认": a send whose hold is above the threshold is refused until the user
 * confirms that amount. The user sets their own; a family owner may set one for a member, which
 * applies only while the member spends that family's wallet. The lower of the two applies.
 */
export const sendConfirmThreshold = pgTable(
  "send_confirm_threshold",
  {
    userId: uuid("user_id")
      .primaryKey()
      .references(() => user.id, { onDelete: "cascade" }),
    selfTokens: bigint("self_tokens", { mode: "bigint" }),
    ownerTokens: bigint("owner_tokens", { mode: "bigint" }),
    /** The family wallet whose owner set ownerTokens. */
    ownerWalletId: uuid("owner_wallet_id").references(() => wallet.id),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check("send_confirm_threshold_positive", sql`(${t.selfTokens} IS NULL OR ${t.selfTokens} > 0) AND (${t.ownerTokens} IS NULL OR ${t.ownerTokens} > 0)`),
  ],
);
export type SendConfirmThreshold = typeof sendConfirmThreshold.$inferSelect;
