import { sql } from "drizzle-orm";
import type { Database } from "./types";

/**
 * Tables the app may only append to and read. The owner keeps their triggers (audit_log's refuses
 * every UPDATE, DELETE and TRUNCATE); the app role, not owning them, cannot disable those.
 */
export const APPEND_ONLY_TABLES = ["audit_log"] as const;

/** The role a connection string signs in as. */
export function roleOf(url: string): string {
  return decodeURIComponent(new URL(url).username);
}

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

async function rows<T>(db: Database, query: ReturnType<typeof sql>): Promise<T[]> {
  const r = (await db.execute(query)) as unknown as { rows?: T[] } | T[];
  return Array.isArray(r) ? r : (r.rows ?? []);
}

/**
 * Run as the owner after migrating: gives the app role what the app needs (DML on every table,
 * sequences, functions) and no more; on append-only tables only SELECT and INSERT. Refuses an
 * app role that could rewrite history anyway: a superuser, or the owner (or a member of it) of
 * an append-only table.
 */
export async function grantAppRole(db: Database, role: string): Promise<void> {
  const [r] = await rows<{ rolsuper: boolean }>(db, sql`select rolsuper from pg_roles where rolname = ${role}`);
  if (!r) throw new Error(`app role ${role} does not exist: create it first (CREATE ROLE ${ident(role)} LOGIN PASSWORD '…')`);
  if (r.rolsuper) throw new Error(`app role ${role} is a superuser: it could change the audit log; connect the app as an ordinary role`);
  for (const table of APPEND_ONLY_TABLES) {
    const [o] = await rows<{ owns: boolean }>(
      db,
      sql`select pg_has_role(${role}, c.relowner, 'MEMBER') as owns from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'public' and c.relname = ${table}`,
    );
    if (o?.owns) throw new Error(`app role ${role} owns ${table} (or is a member of its owner): migrate as another role (DATABASE_MIGRATION_URL)`);
  }
  const who = ident(role);
  const statements = [
    `GRANT USAGE ON SCHEMA public TO ${who}`,
    `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${who}`,
    `GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO ${who}`,
    `GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO ${who}`,
    ...APPEND_ONLY_TABLES.map((t) => `REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON ${ident(t)} FROM ${who}`),
  ];
  for (const s of statements) await db.execute(sql.raw(s));
}
