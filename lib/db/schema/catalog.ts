import { index, integer, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";

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
