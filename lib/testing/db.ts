import { PGlite } from "@electric-sql/pglite";
import { drizzle } from "drizzle-orm/pglite";
import { migrate } from "drizzle-orm/pglite/migrator";
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import * as schema from "@/lib/db/schema";
import type { Database } from "@/lib/db/types";
import { pgliteExtensions } from "@/lib/db/pglite-extensions";

/** Where a migrated database keeps a copy of the rows the migrations themselves insert. */
const SEED_SCHEMA = "testing_seed";

type Template = { image: Blob; extensions: Awaited<ReturnType<typeof pgliteExtensions>>; reset: string[] };

let template: Promise<Template> | undefined;
/** Databases a finished test gave back, ready to be wiped and handed out again. */
const returned: PGlite[] = [];

/**
 * The migrated data directory every test database starts from, and the SQL that brings any of them
 * back to that state: every table of the app emptied (owned sequences restarted), the rows the
 * migrations seeded put back, the session's settings, locks and temporary objects discarded.
 *
 * A fresh PGlite runs initdb (seconds), then the migrations (a second more). The image is kept on
 * disk, named by a hash of the migrations and the engine's version, so every later test process of
 * any run loads it instead. A changed migration is a new name; an unreadable file is rebuilt.
 */
async function migratedTemplate(): Promise<Template> {
  const extensions = await pgliteExtensions();
  const folder = path.join(process.cwd(), "drizzle");
  // The image's own layout (the seed copy inside it) is part of its name too.
  const hash = createHash("sha256").update("migrated+seed-copy v1");
  hash.update(JSON.parse(readFileSync(path.join(process.cwd(), "node_modules/@electric-sql/pglite/package.json"), "utf8")).version);
  hash.update(Object.keys(extensions).sort().join(","));
  for (const f of readdirSync(folder, { recursive: true, encoding: "utf8" }).sort()) {
    if (!/\.(sql|json)$/.test(f)) continue;
    hash.update(f);
    hash.update(readFileSync(path.join(folder, f)));
  }
  const cacheDir = path.join(process.cwd(), "node_modules/.cache/unitoken");
  const file = path.join(cacheDir, `pglite-migrated-${hash.digest("hex").slice(0, 16)}.tar`);

  let image: Blob | undefined;
  let client: PGlite | undefined;
  try {
    image = new Blob([readFileSync(file)]);
    client = new PGlite({ extensions, loadDataDir: image });
    await client.waitReady;
  } catch {
    image = undefined;
    client = undefined;
  }
  if (!client || !image) {
    client = new PGlite({ extensions });
    await client.waitReady;
    await migrate(drizzle(client, { schema }), { migrationsFolder: folder });
    await client.exec(`create schema ${SEED_SCHEMA}`);
    for (const { name } of await tables(client, "public")) {
      const r = await client.query<{ n: number }>(`select count(*)::int as n from public.${name}`);
      if ((r.rows[0]?.n ?? 0) > 0) await client.exec(`create table ${SEED_SCHEMA}.${name} as table public.${name}`);
    }
    image = await client.dumpDataDir("none");
    try {
      mkdirSync(cacheDir, { recursive: true });
      // Written aside and renamed: a process reading it never sees half a file.
      const part = `${file}.${process.pid}.part`;
      writeFileSync(part, Buffer.from(await image.arrayBuffer()));
      renameSync(part, file);
      // Images of earlier migrations (42 MB each) are not kept.
      for (const f of readdirSync(cacheDir)) {
        if (f.startsWith("pglite-migrated-") && f.endsWith(".tar") && path.join(cacheDir, f) !== file) rmSync(path.join(cacheDir, f), { force: true });
      }
    } catch (err) {
      console.warn("[testing] could not keep the migrated database:", err);
    }
  }
  const all = (await tables(client, "public")).map((t) => `public.${t.name}`);
  const seeded = (await tables(client, SEED_SCHEMA)).map((t) => t.name);
  // The first database handed out is this one.
  returned.push(client);
  // Apart: DISCARD ALL cannot run inside the implicit transaction of a multi-statement query.
  const reset = [
    "rollback",
    "discard all",
    [
      // Append-only tables refuse TRUNCATE by trigger; no trigger fires while this is set.
      "set session_replication_role = replica",
      all.length ? `truncate ${all.join(", ")} restart identity cascade` : "",
      ...seeded.map((name) => `insert into public.${name} select * from ${SEED_SCHEMA}.${name}`),
      "reset session_replication_role",
    ]
      .filter(Boolean)
      .join(";\n"),
  ];
  return { image, extensions, reset };
}

/** The ordinary tables of one schema, by quoted name. */
async function tables(client: PGlite, schemaName: string): Promise<{ name: string }[]> {
  const { rows } = await client.query<{ name: string }>(
    `select quote_ident(c.relname) as name
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relkind in ('r', 'p') and n.nspname = $1 order by 1`,
    [schemaName],
  );
  return rows;
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
 * A fresh, migrated in-memory PGlite database for one test, loaded from the migrated image (see
 * migratedTemplate); a database a test closes is wiped back to
 * the migrated state (tables emptied, seeded rows restored) and handed to the next test, which
 * costs milliseconds where loading costs seconds. Tests never see each other's rows.
 */
export async function createTestDb(): Promise<{
  db: Database;
  client: PGlite;
  close: () => Promise<void>;
  /** For a test that changed the schema itself (dropped a constraint): closes it for good, never handed out again. */
  discard: () => Promise<void>;
}> {
  template ??= migratedTemplate();
  const t = await template;
  let client = await reuse(t.reset);
  if (!client) {
    client = new PGlite({ extensions: t.extensions, loadDataDir: t.image });
    await client.waitReady;
  }
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
    discard: async () => {
      if (closed) return;
      closed = true;
      await client.close();
    },
  };
}
