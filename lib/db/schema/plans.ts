import { sql } from "drizzle-orm";
import { bigint, check, index, integer, jsonb, pgTable, primaryKey, text, timestamp, unique, uuid } from "drizzle-orm/pg-core";
import { user } from "./auth";
import { bill, wallet } from "./ledger";

// The plan tiers, packs and trial are data in lib/plans/tiers.ts; these tables hold
// who bought what, what the carrier charged and which alerts went out.

/** A subscriber's monthly plan: one row per user, kept when cancelled (status ended). */
export const subscription = pgTable(
  "subscription",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .unique()
      .references(() => user.id),
    tierId: text("tier_id").notNull(),
    status: text("status", { enum: ["active", "ended", "lapsed"] })
      .notNull()
      .default("active"),
    /** The cycle whose allowance and fee have been granted and charged. */
    currentCycle: text("current_cycle").notNull(),
    /** A change waiting for the next cycle: a lower tier, or cancel. */
    scheduledAction: text("scheduled_action", { enum: ["downgrade", "cancel"] }),
    scheduledTierId: text("scheduled_tier_id"),
    /** Wallet the allowance is granted into (the owner's family wallet on family tiers). */
    walletId: uuid("wallet_id")
      .notNull()
      .references(() => wallet.id),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull(),
    /** Bumped on every change so concurrent changes fail instead of overwriting each other. */
    version: integer("version").notNull().default(0),
  },
  (t) => [
    check("subscription_scheduled_consistent", sql`(${t.scheduledAction} = 'downgrade') = (${t.scheduledTierId} IS NOT NULL)`),
    index("subscription_cycle_idx").on(t.status, t.currentCycle),
  ],
);
export type Subscription = typeof subscription.$inferSelect;

/**
 * One charge to the phone bill through the carrier-billing adapter. The id is the idempotency
 * key; the result is recorded; a posted charge pays for exactly one grant (grant_key).
 */
export const carrierCharge = pgTable(
  "carrier_charge",
  {
    id: text("id").primaryKey(),
    userId: uuid("user_id")
      .notNull()
      .references(() => user.id),
    billId: uuid("bill_id")
      .notNull()
      .references(() => bill.id),
    kind: text("kind", { enum: ["subscribe", "upgrade", "renewal", "pack"] }).notNull(),
    amountFen: bigint("amount_fen", { mode: "bigint" }).notNull(),
    description: text("description").notNull(),
    status: text("status", { enum: ["pending", "posted", "failed"] })
      .notNull()
      .default("pending"),
    adapter: text("adapter").notNull(),
    /** What the carrier answered (reference, reason). */
    result: jsonb("result").$type<Record<string, string | null>>(),
    /** The ledger grant this charge pays for, and its size. */
    walletId: uuid("wallet_id")
      .notNull()
      .references(() => wallet.id),
    grantKey: text("grant_key").notNull().unique(),
    grantTokens: bigint("grant_tokens", { mode: "bigint" }).notNull(),
    grantKind: text("grant_kind", { enum: ["allowance", "pack"] }).notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
    resolvedAt: timestamp("resolved_at", { withTimezone: true }),
  },
  (t) => [index("carrier_charge_user_idx").on(t.userId, t.createdAt), check("carrier_charge_amount_nonneg", sql`${t.amountFen} >= 0`)],
);
export type CarrierCharge = typeof carrierCharge.$inferSelect;

/**
 * An allowance alert (50%, 80%, 100%) of one wallet in one cycle, or of one family member's cap
 * (`member_user_id`): sent at most once — the unique key makes concurrent settles send one text.
 */
export const planAlert = pgTable(
  "plan_alert",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    walletId: uuid("wallet_id")
      .notNull()
      .references(() => wallet.id),
    userId: uuid("user_id")
      .notNull()
      .references(() => user.id),
    cycle: text("cycle").notNull(),
    threshold: integer("threshold").notNull(),
    /** Set for a family member's cap alert (addressed to that member); null for the wallet's allowance. */
    memberUserId: uuid("member_user_id").references(() => user.id),
    usedTokens: bigint("used_tokens", { mode: "bigint" }).notNull(),
    allowanceTokens: bigint("allowance_tokens", { mode: "bigint" }).notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
    dismissedAt: timestamp("dismissed_at", { withTimezone: true }),
  },
  (t) => [
    unique("plan_alert_once").on(t.walletId, t.cycle, t.threshold, t.memberUserId).nullsNotDistinct(),
    index("plan_alert_user_idx").on(t.userId, t.createdAt),
  ],
);
export type PlanAlert = typeof planAlert.$inferSelect;

/** Audit trail of plan changes, including those made by customer service on a user's behalf. */
export const planChange = pgTable(
  "plan_change",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => user.id),
    action: text("action", {
      enum: ["subscribe", "upgrade", "downgrade", "cancel", "undo", "pack", "renew", "apply_downgrade", "apply_cancel", "lapse"],
    }).notNull(),
    fromTierId: text("from_tier_id"),
    toTierId: text("to_tier_id"),
    packId: text("pack_id"),
    chargeId: text("charge_id"),
    actorUserId: uuid("actor_user_id"),
    reason: text("reason"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
  },
  (t) => [index("plan_change_user_idx").on(t.userId, t.createdAt)],
);
export type PlanChange = typeof planChange.$inferSelect;

/**
 * 放心用 (safety net): what happens when a spender has nothing left, chosen by the wallet's payer —
 * stop (no row, the default); buy `packId` automatically up to `maxPacksPerMonth` times a cycle;
 * or "economy": continue on `economyModelId` until the cycle ends, funded by the wallet's own
 * balance and then by the same capped automatic packs (lib/plans/safety-net.ts states the rule).
 * One row per wallet and spender: the owner's own row, and one per family member.
 */
export const safetyNet = pgTable(
  "safety_net",
  {
    walletId: uuid("wallet_id")
      .notNull()
      .references(() => wallet.id),
    userId: uuid("user_id")
      .notNull()
      .references(() => user.id),
    mode: text("mode", { enum: ["stop", "auto_pack", "economy"] })
      .notNull()
      .default("stop"),
    packId: text("pack_id"),
    /** The economical model a spender continues on (mode "economy"). */
    economyModelId: text("economy_model_id"),
    maxPacksPerMonth: integer("max_packs_per_month").notNull().default(0),
    /** The payer who set it (with a purchase code when it allows charges). */
    setByUserId: uuid("set_by_user_id")
      .notNull()
      .references(() => user.id),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.walletId, t.userId] }),
    check("safety_net_pack", sql`${t.mode} = 'stop' OR (${t.packId} IS NOT NULL AND ${t.maxPacksPerMonth} BETWEEN 1 AND 10)`),
    check("safety_net_economy_model", sql`${t.mode} <> 'economy' OR ${t.economyModelId} IS NOT NULL`),
  ],
);
export type SafetyNet = typeof safetyNet.$inferSelect;

/**
 * 放心用 "economy": the cycle in which a spender ran dry and was switched to the payer's
 * economical model; from then until the cycle ends their requests are served on it. Cleared for
 * the current cycle when the payer changes the choice.
 */
export const economySwitch = pgTable(
  "economy_switch",
  {
    walletId: uuid("wallet_id")
      .notNull()
      .references(() => wallet.id),
    userId: uuid("user_id")
      .notNull()
      .references(() => user.id),
    cycle: text("cycle").notNull(),
    /** The model the request that ran dry had asked for. */
    fromModelId: text("from_model_id").notNull(),
    since: timestamp("since", { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.walletId, t.userId, t.cycle] })],
);

/** Packs the safety net bought for one spender of a wallet in one cycle: the ceiling's counter. */
export const autoPackCount = pgTable(
  "auto_pack_count",
  {
    walletId: uuid("wallet_id")
      .notNull()
      .references(() => wallet.id),
    userId: uuid("user_id")
      .notNull()
      .references(() => user.id),
    cycle: text("cycle").notNull(),
    bought: integer("bought").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.walletId, t.userId, t.cycle] }), check("auto_pack_count_nonneg", sql`${t.bought} >= 0`)],
);
