import type { Database } from "./types";
import { sql, type SQL } from "drizzle-orm";

/** Rows of a raw query, the same shape on every driver. */
export async function queryRows<T extends Record<string, unknown>>(db: Database, query: SQL): Promise<T[]> {
  const res = (await db.execute(query)) as unknown as { rows?: T[] } | T[];
  return Array.isArray(res) ? res : (res.rows ?? []);
}

export { sql };
