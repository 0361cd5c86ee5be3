import { sql } from "drizzle-orm";
import { bigint, check, index, jsonb, pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { user } from "./auth";

/**
 * A key for the OpenAI-compatible API. The secret is shown once; only its SHA-256 is kept.
 * The key's id is part of the key text (`ut-<id hex><secret>`), so lookup is by primary key.
 */
export const apiKey = pgTable(
  "api_key",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    /** Hex SHA-256 of the secret part of the key. */
    secretHash: text("secret_hash").notNull(),
    /** Last four characters of the key, to tell keys apart in the list. */
    hint: text("hint").notNull(),
    /** Catalog model ids this key may call; null = every model. */
    models: jsonb("models").$type<string[]>(),
    /** Monthly cap in plan tokens; null = no cap beyond the wallet's own limits. */
    monthlyCapTokens: bigint("monthly_cap_tokens", { mode: "bigint" }),
    /** How this key's requests order a model's routes ("price", "latency", "throughput", "balanced"); null = the deployment's default. */
    routeSort: text("route_sort", { enum: ["price", "latency", "throughput", "balanced"] }),
    expiresAt: timestamp("expires_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
  },
  (t) => [index("api_key_user_idx").on(t.userId, t.createdAt), check("api_key_cap_nonneg", sql`${t.monthlyCapTokens} IS NULL OR ${t.monthlyCapTokens} >= 0`)],
);
export type ApiKey = typeof apiKey.$inferSelect;

/**
 * A key's spend in one cycle. Reservations add to `held` with one conditional statement
 * (used + held + amount <= cap), so the cap holds under any concurrency; settle moves the
 * real charge to `used`.
 */
export const apiKeySpend = pgTable(
  "api_key_spend",
  {
    apiKeyId: uuid("api_key_id")
      .notNull()
      .references(() => apiKey.id, { onDelete: "cascade" }),
    cycle: text("cycle").notNull(),
    used: bigint("used", { mode: "bigint" }).notNull().default(sql`0`),
    held: bigint("held", { mode: "bigint" }).notNull().default(sql`0`),
    requests: bigint("requests", { mode: "bigint" }).notNull().default(sql`0`),
  },
  (t) => [
    primaryKey({ columns: [t.apiKeyId, t.cycle] }),
    check("api_key_spend_used_nonneg", sql`${t.used} >= 0`),
    check("api_key_spend_held_nonneg", sql`${t.held} >= 0`),
  ],
);
export type ApiKeySpend = typeof apiKeySpend.$inferSelect;

/**
 * How many live (unrevoked) keys a user holds. Creating a key bumps it with one conditional
 * statement (active < the limit) that also inserts the key, so the limit holds under any
 * concurrency; revoking one takes it back down in the same statement as the revocation.
 */
export const apiKeyQuota = pgTable(
  "api_key_quota",
  {
    userId: uuid("user_id")
      .primaryKey()
      .references(() => user.id, { onDelete: "cascade" }),
    active: bigint("active", { mode: "number" }).notNull().default(0),
  },
  (t) => [check("api_key_quota_active_nonneg", sql`${t.active} >= 0`)],
);
