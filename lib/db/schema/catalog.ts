import { index, integer, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { user } from "./auth";
import { wallet } from "./ledger";

/**
 * A refreshed copy of the models.dev-format catalog (CATALOG_URL), as validated: the newest row is
 * what every app instance prices new requests with; the bundled snapshot is the fallback. Rows are
 * kept as history (what the catalog said when).
 */
export const catalogSnapshot = pgTable(
  "catalog_snapshot",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    sourceUrl: text("source_url").notNull(),
    fetchedAt: timestamp("fetched_at", { withTimezone: true }).notNull().defaultNow(),
    /** The accepted providers and models, in the dataset's own shape. */
    data: jsonb("data").$type<Record<string, unknown>>().notNull(),
    providers: integer("providers").notNull(),
    models: integer("models").notNull(),
    /** Entries refused by validation: where and why (never the whole entry). */
    rejected: jsonb("rejected").$type<{ path: string; reason: string }[]>().notNull(),
  },
  (t) => [index("catalog_snapshot_fetched_idx").on(t.fetchedAt)],
);
export type CatalogSnapshot = typeof catalogSnapshot.$inferSelect;

/**
 * Request-rate windows shared by every app instance (per API key, per client IP): one row per
 * limited key, counted by a single atomic upsert. Unlogged (migration 0037): a counter's commit
 * does not wait for a WAL flush.
 */
export const rateLimitWindow = pgTable("rate_limit_window", {
  key: text("key").primaryKey(),
  windowStart: timestamp("window_start", { withTimezone: true }).notNull(),
  count: integer("count").notNull(),
});
export type RateLimitWindow = typeof rateLimitWindow.$inferSelect;

/**
 * How a family's requests may be routed, set by its owner (lib/routing/family.ts): only these
 * providers, never these, and the order when the request or key names none. Applies to every
 * chat and API request the family wallet pays for. No row: no narrowing.
 */
export const familyRoutePreference = pgTable("family_route_preference", {
  walletId: uuid("wallet_id")
    .primaryKey()
    .references(() => wallet.id),
  only: jsonb("only").$type<string[]>(),
  ignore: jsonb("ignore").$type<string[]>(),
  sort: text("sort", { enum: ["price", "latency", "throughput", "balanced"] }),
  updatedBy: uuid("updated_by")
    .notNull()
    .references(() => user.id),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull(),
});
export type FamilyRoutePreference = typeof familyRoutePreference.$inferSelect;
