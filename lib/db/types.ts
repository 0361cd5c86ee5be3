import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import type * as schema from "./schema";

/**
 * One handle type for PGlite, the Neon Pool and node-postgres — and for a transaction on any of
 * them (a transaction is a PgDatabase too), so domain functions take either without a cast.
 */
export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;
/** The handle a transaction callback receives; assignable to Database. */
export type Tx = Parameters<Parameters<Database["transaction"]>[0]>[0];
export type DbKind = "pglite" | "postgres";
