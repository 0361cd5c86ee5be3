import { PGlite } from "@electric-sql/pglite";
import { drizzle } from "drizzle-orm/pglite";
import { migrate } from "drizzle-orm/pglite/migrator";
import path from "node:path";
import * as schema from "@/lib/db/schema";
import type { Database } from "@/lib/db/types";
import { pgliteExtensions } from "@/lib/db/pglite-extensions";

/** Where the template keeps a copy of the rows the migrations themselves insert. */
const SEED_SCHEMA = "testing_seed";

type Template = { client: PGlite; reset: string[] };

let template: Promise<Template> | undefined;
/** Databases a finished test gave back, ready to be wiped and handed out again. */
const returned: PGlite[] = [];

/**
 * The migrated template, and the SQL that brings any clone of it back to the state right after
 * the migrations: every table of the app emptied (owned sequences restarted), the rows the
 * migrations seeded put back, the session's settings, locks and temporary objects discarded.
 */
async function migratedTemplate(): Promise<Template> {
  const client = new PGlite({ extensions: await pgliteExtensions() });
  await client.waitReady;
  await migrate(drizzle(client, { schema }), { migrationsFolder: path.join(process.cwd(), "drizzle") });
  const { rows } = await client.query<{ name: string }>(
    `select quote_ident(n.nspname) || '.' || quote_ident(c.relname) as name
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relkind in ('r', 'p') and n.nspname = 'public' order by 1`,
  );
  const seeded: string[] = [];
  await client.exec(`create schema ${SEED_SCHEMA}`);
  for (const { name } of rows) {
    const r = await client.query<{ n: number }>(`select count(*)::int as n from ${name}`);
    if ((r.rows[0]?.n ?? 0) === 0) continue;
    seeded.push(name);
    await client.exec(`create table ${SEED_SCHEMA}.${name.slice("public.".length)} as table ${name}`);
  }
  // Apart: DISCARD ALL cannot run inside the implicit transaction of a multi-statement query.
  const reset = [
    "rollback",
    "discard all",
    [
      // Append-only tables refuse TRUNCATE by trigger; no trigger fires while this is set.
      "set session_replication_role = replica",
      rows.length ? `truncate ${rows.map((r) => r.name).join(", ")} restart identity cascade` : "",
      ...seeded.map((name) => `insert into ${name} select * from ${SEED_SCHEMA}.${name.slice("public.".length)}`),
      "reset session_replication_role",
    ]
      .filter(Boolean)
      .join(";\n"),
  ];
  return { client, reset };
}

/** A database given back earlier, wiped to the migrated state; or null if none is ready. */
async function reuse(reset: string[]): Promise<PGlite | null> {
  for (let c = returned.pop(); c; c = returned.pop()) {
    if (c.closed) continue;
    try {
      for (const statement of reset) await c.exec(statement);
      return c;
    } catch {
      await c.close().catch(() => {});
    }
  }
  return null;
}

/**
 * A fresh, migrated in-memory PGlite database for one test. Migrations run once per worker and
 * each database starts as a clone of that template; a database a test closes is wiped back to
 * the migrated state (tables emptied, seeded rows restored) and handed to the next test, which
 * costs milliseconds where a clone costs seconds. Tests never see each other's rows.
 */
export async function createTestDb(): Promise<{ db: Database; client: PGlite; close: () => Promise<void> }> {
  template ??= migratedTemplate();
  const t = await template;
  const client = (await reuse(t.reset)) ?? ((await t.client.clone()) as PGlite);
  const db = drizzle(client, { schema }) as unknown as Database;
  let closed = false;
  return {
    db,
    client,
    close: async () => {
      if (closed) return;
      closed = true;
      returned.push(client);
    },
  };
}
