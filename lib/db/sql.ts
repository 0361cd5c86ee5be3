import type { Database } from "./types";
import { sql, type SQL } from "drizzle-orm";

/** Rows of a raw query, the same shape on every driver. */
export async function queryRows<T extends Record<string, unknown>>(db: Database, query: SQL): Promise<T[]> {
  const res = (await db.execute(query)) as unknown as { rows?: T[] } | T[];
  return Array.isArray(res) ? res : (res.rows ?? []);
}

type PgPool = { totalCount: number; query: (q: { name: string; text: string; values: unknown[] }) => Promise<{ rows: unknown[] }> };

function pgPoolOf(db: Database): PgPool | null {
  // Only the top-level handle of node-postgres or Neon has a pool; a transaction has none.
  const c = (db as { $client?: Partial<PgPool> }).$client;
  return c && typeof c.totalCount === "number" && typeof c.query === "function" ? (c as PgPool) : null;
}

const textParts = new Map<string, { chunks: string[]; slots: number[] }>();

/**
 * One hot statement, by name: on a PostgreSQL pool a named prepared statement (parsed and planned
 * once per connection, then only bound and run); elsewhere (PGlite, inside a transaction) the
 * same text and values through drizzle. `text` uses $1…$n placeholders.
 */
export async function queryNamed<T extends Record<string, unknown>>(db: Database, name: string, text: string, values: unknown[]): Promise<T[]> {
  const pool = pgPoolOf(db);
  if (pool) return (await pool.query({ name, text, values })).rows as T[];
  let p = textParts.get(text);
  if (!p) {
    const chunks: string[] = [];
    const slots: number[] = [];
    let last = 0;
    for (const m of text.matchAll(/\$(\d+)/g)) {
      chunks.push(text.slice(last, m.index));
      slots.push(Number(m[1]) - 1);
      last = m.index! + m[0].length;
    }
    chunks.push(text.slice(last));
    p = { chunks, slots };
    textParts.set(text, p);
  }
  const q = sql.empty();
  p.chunks.forEach((c, i) => {
    q.append(sql.raw(c));
    if (i < p.slots.length) q.append(sql`${values[p.slots[i]!]}`);
  });
  return queryRows<T>(db, q);
}

export { sql };
