import { sql } from "drizzle-orm";
import { bigint, boolean, check, index, integer, jsonb, pgTable, primaryKey, text, timestamp, unique, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { user } from "./auth";
import { BUCKET_KINDS } from "./bucket-kinds";

const tokens = (name: string) => bigint(name, { mode: "bigint" });

/** A purse of tokens belonging to one person or one family; totals mirror its buckets. */
export const wallet = pgTable(
  "wallet",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    kind: text("kind", { enum: ["personal", "family"] }).notNull(),
    ownerUserId: uuid("owner_user_id")
      .notNull()
      .references(() => user.id),
    available: tokens("available").notNull().default(sql`0`),
    held: tokens("held").notNull().default(sql`0`),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("wallet_owner_idx").on(t.ownerUserId),
    // One personal wallet per user, so ensurePersonalWallet is race-free.
    uniqueIndex("wallet_personal_owner_uniq").on(t.ownerUserId).where(sql`${t.kind} = 'personal'`),
    uniqueIndex("wallet_family_owner_uniq").on(t.ownerUserId).where(sql`${t.kind} = 'family'`),
    check("wallet_available_nonneg", sql`${t.available} >= 0`),
    check("wallet_held_nonneg", sql`${t.held} >= 0`),
  ],
);
export type Wallet = typeof wallet.$inferSelect;

/** Tokens of one origin (a BUCKET_KINDS kind) with one expiry. */
export const bucket = pgTable(
  "bucket",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    walletId: uuid("wallet_id")
      .notNull()
      .references(() => wallet.id),
    kind: text("kind", { enum: BUCKET_KINDS }).notNull(),
    available: tokens("available").notNull(),
    held: tokens("held").notNull().default(sql`0`),
    granted: tokens("granted").notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    expiredAt: timestamp("expired_at", { withTimezone: true }),
    source: text("source").notNull(),
    cycle: text("cycle"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("bucket_wallet_idx").on(t.walletId, t.expiresAt),
    check("bucket_kind_known", sql`${t.kind} IN (${sql.raw(BUCKET_KINDS.map((k) => `'${k}'`).join(", "))})`),
    check("bucket_available_nonneg", sql`${t.available} >= 0`),
    check("bucket_held_nonneg", sql`${t.held} >= 0`),
  ],
);
export type Bucket = typeof bucket.$inferSelect;

/** Tokens set aside for one request until it settles or is released; resolves exactly once. */
export const hold = pgTable(
  "hold",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    walletId: uuid("wallet_id")
      .notNull()
      .references(() => wallet.id),
    userId: uuid("user_id")
      .notNull()
      .references(() => user.id),
    amount: tokens("amount").notNull(),
    /** [{ bucketId, amount }] in consumption order. */
    split: jsonb("split").$type<{ bucketId: string; amount: string }[]>().notNull(),
    state: text("state", { enum: ["open", "settled", "released"] })
      .notNull()
      .default("open"),
    settledAmount: tokens("settled_amount"),
    /** Usage recorded while streaming, so a sweeper can settle a crashed request. */
    recordedAmount: tokens("recorded_amount"),
    /** The usage row the stream would write, as of its last progress note (model, route, weights, tokens so far). */
    usageDraft: jsonb("usage_draft").$type<Record<string, unknown>>(),
    /** Set when the stream must stop (its member was removed); the stream sees it at its next progress note. */
    stopRequestedAt: timestamp("stop_requested_at", { withTimezone: true }),
    /** Charged by a settle that came after the hold was already resolved (taken from what the wallet had). */
    lateCharged: tokens("late_charged").notNull().default(sql`0`),
    /** What such a late settle was owed but the wallet could not pay. */
    shortfall: tokens("shortfall").notNull().default(sql`0`),
    cycle: text("cycle").notNull(),
    idempotencyKey: text("idempotency_key").notNull().unique(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    resolvedAt: timestamp("resolved_at", { withTimezone: true }),
  },
  (t) => [
    // Only open holds are ever looked up by expiry or wallet; partial indexes mean resolving a
    // hold (the settle) writes no entries into them.
    index("hold_open_expiry_idx").on(t.expiresAt).where(sql`${t.state} = 'open'`),
    index("hold_member_open_idx").on(t.walletId, t.userId).where(sql`${t.state} = 'open'`),
    check("hold_state_consistent", sql`(${t.state} = 'open') = (${t.resolvedAt} IS NULL) AND (${t.state} <> 'settled' OR ${t.settledAmount} IS NOT NULL)`),
    check("hold_amount_nonneg", sql`${t.amount} >= 0`),
    check("hold_late_nonneg", sql`${t.lateCharged} >= 0 AND ${t.shortfall} >= 0`),
    check("hold_settled_le_amount", sql`${t.settledAmount} IS NULL OR (${t.settledAmount} >= 0 AND ${t.settledAmount} <= ${t.amount})`),
  ],
);
export type Hold = typeof hold.$inferSelect;

/** Append-only journal; the sum of a wallet's entries equals its buckets' total. */
export const entry = pgTable(
  "entry",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    walletId: uuid("wallet_id")
      .notNull()
      .references(() => wallet.id),
    bucketId: uuid("bucket_id").references(() => bucket.id),
    holdId: uuid("hold_id").references(() => hold.id),
    kind: text("kind", { enum: ["grant", "reserve", "settle", "release", "expire", "adjust", "refund"] }).notNull(),
    /** Signed change to the wallet's total (reserve/release move tokens between available and held: 0). */
    amount: tokens("amount").notNull(),
    idempotencyKey: text("idempotency_key").notNull(),
    /** Hash of the operation's parameters, to tell a replay from a conflicting reuse of a key. */
    paramsHash: text("params_hash").notNull(),
    actorUserId: uuid("actor_user_id"),
    reason: text("reason"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [unique("entry_key_bucket").on(t.idempotencyKey, t.bucketId).nullsNotDistinct()],
);
export type Entry = typeof entry.$inferSelect;

/**
 * One row per idempotent ledger operation that is not a hold (grant, adjust, refund): the key,
 * a hash of its parameters and its result, so a replay returns the first result.
 */
export const ledgerOp = pgTable("ledger_op", {
  idempotencyKey: text("idempotency_key").primaryKey(),
  op: text("op").notNull(),
  paramsHash: text("params_hash").notNull(),
  result: jsonb("result").$type<Record<string, string | null>>(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});
export type LedgerOp = typeof ledgerOp.$inferSelect;

/** Who may spend a wallet besides its owner (family members), with their cap. */
export const walletMember = pgTable(
  "wallet_member",
  {
    walletId: uuid("wallet_id")
      .notNull()
      .references(() => wallet.id),
    userId: uuid("user_id")
      .notNull()
      .references(() => user.id),
    role: text("role", { enum: ["owner", "member"] }).notNull(),
    /** Monthly cap in plan tokens; null = no cap. */
    capTokens: tokens("cap_tokens"),
    paused: boolean("paused").notNull().default(false),
    status: text("status", { enum: ["active", "removed"] })
      .notNull()
      .default("active"),
    joinedAt: timestamp("joined_at", { withTimezone: true }).notNull().defaultNow(),
    removedAt: timestamp("removed_at", { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.walletId, t.userId] }), check("wallet_member_cap_nonneg", sql`${t.capTokens} IS NULL OR ${t.capTokens} >= 0`)],
);
export type WalletMember = typeof walletMember.$inferSelect;

/** A member's spend in one cycle; the cap check updates this row atomically. */
export const memberSpend = pgTable(
  "member_spend",
  {
    walletId: uuid("wallet_id")
      .notNull()
      .references(() => wallet.id),
    userId: uuid("user_id")
      .notNull()
      .references(() => user.id),
    cycle: text("cycle").notNull(),
    used: tokens("used").notNull().default(sql`0`),
    held: tokens("held").notNull().default(sql`0`),
    /** What the payer approved on top of the monthly cap this cycle (问户主, one day's extra at a time). */
    capExtra: tokens("cap_extra").notNull().default(sql`0`),
  },
  (t) => [
    primaryKey({ columns: [t.walletId, t.userId, t.cycle] }),
    check("member_spend_used_nonneg", sql`${t.used} >= 0`),
    check("member_spend_cap_extra_nonneg", sql`${t.capExtra} >= 0`),
    check("member_spend_held_nonneg", sql`${t.held} >= 0`),
  ],
);
export type MemberSpend = typeof memberSpend.$inferSelect;

/** The bill of one payer for one calendar month (Asia/Shanghai). */
export const bill = pgTable(
  "bill",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => user.id),
    cycle: text("cycle").notNull(),
    status: text("status", { enum: ["open", "closed"] })
      .notNull()
      .default("open"),
    totalFen: bigint("total_fen", { mode: "bigint" }).notNull().default(sql`0`),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    closedAt: timestamp("closed_at", { withTimezone: true }),
  },
  (t) => [unique("bill_user_cycle").on(t.userId, t.cycle)],
);
export type Bill = typeof bill.$inferSelect;

export const billLine = pgTable(
  "bill_line",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    billId: uuid("bill_id")
      .notNull()
      .references(() => bill.id),
    kind: text("kind", { enum: ["plan_fee", "proration", "pack", "adjustment", "refund"] }).notNull(),
    description: text("description").notNull(),
    amountFen: bigint("amount_fen", { mode: "bigint" }).notNull(),
    chargeId: text("charge_id"),
    idempotencyKey: text("idempotency_key").notNull().unique(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("bill_line_bill_idx").on(t.billId)],
);
export type BillLine = typeof billLine.$inferSelect;

/** One route tried for a request: the provider, how the try ended, and how long it took (ms). */
export type RouteAttemptRecord = { provider: string; outcome: string; ms: number; status?: number };

/** One metered model call: what was used, at which weights, on which bill. */
export const usage = pgTable(
  "usage",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    requestId: text("request_id").notNull().unique(),
    userId: uuid("user_id")
      .notNull()
      .references(() => user.id),
    walletId: uuid("wallet_id")
      .notNull()
      .references(() => wallet.id),
    billId: uuid("bill_id")
      .notNull()
      .references(() => bill.id),
    cycle: text("cycle").notNull(),
    holdId: uuid("hold_id").references(() => hold.id),
    modelId: text("model_id").notNull(),
    providerRoute: text("provider_route").notNull(),
    conversationId: uuid("conversation_id"),
    apiKeyId: uuid("api_key_id"),
    tokensIn: integer("tokens_in").notNull(),
    tokensOut: integer("tokens_out").notNull(),
    /** Of tokensIn, what the provider served from its prompt cache; null when it did not say. */
    tokensCached: integer("tokens_cached"),
    /** Of tokensOut, what the model spent reasoning; null when the provider did not say. */
    tokensReasoning: integer("tokens_reasoning"),
    /** Weights in force, fixed-point: plan tokens per token × 1,000,000. */
    weightInMicro: bigint("weight_in_micro", { mode: "bigint" }).notNull(),
    weightOutMicro: bigint("weight_out_micro", { mode: "bigint" }).notNull(),
    planTokens: tokens("plan_tokens").notNull(),
    /** How usage was known: provider-reported, counted from delivered text, or none delivered. */
    usageSource: text("usage_source", { enum: ["provider", "counted", "none"] }).notNull(),
    status: text("status", { enum: ["ok", "interrupted", "aborted", "error"] }).notNull(),
    /** Every route tried for this request, in order (the last one answered unless status is "error"); null before routing recorded them. */
    routeAttempts: jsonb("route_attempts").$type<RouteAttemptRecord[]>(),
    refundedAt: timestamp("refunded_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("usage_hold_uniq").on(t.holdId),
    index("usage_user_idx").on(t.userId, t.createdAt),
    index("usage_bill_idx").on(t.billId, t.createdAt),
    check("usage_tokens_nonneg", sql`${t.tokensIn} >= 0 AND ${t.tokensOut} >= 0 AND ${t.planTokens} >= 0`),
    check("usage_token_detail_nonneg", sql`coalesce(${t.tokensCached}, 0) >= 0 AND coalesce(${t.tokensReasoning}, 0) >= 0`),
  ],
);
export type Usage = typeof usage.$inferSelect;
