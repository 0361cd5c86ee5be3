import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import type * as schema from "./schema";

/** One handle type for PGlite, the Neon Pool and node-postgres. */
export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;
/** A transaction handle is usable wherever a Database is. */
export type Tx = Parameters<Parameters<Database["transaction"]>[0]>[0];
export type DbKind = "pglite" | "postgres";
