import { PGlite } from "@electric-sql/pglite";
import { drizzle } from "drizzle-orm/pglite";
import { migrate } from "drizzle-orm/pglite/migrator";
import path from "node:path";
import * as schema from "@/lib/db/schema";
import type { Database } from "@/lib/db/types";
import { pgliteExtensions } from "@/lib/db/pglite-extensions";

let template: Promise<PGlite> | undefined;

async function migratedTemplate(): Promise<PGlite> {
  const client = new PGlite({ extensions: await pgliteExtensions() });
  await client.waitReady;
  await migrate(drizzle(client, { schema }), { migrationsFolder: path.join(process.cwd(), "drizzle") });
  return client;
}

/**
 * A fresh, migrated in-memory PGlite database for one test. Migrations run once per worker;
 * each call clones that template so tests never share state.
 */
export async function createTestDb(): Promise<{ db: Database; client: PGlite; close: () => Promise<void> }> {
  template ??= migratedTemplate();
  const client = (await (await template).clone()) as PGlite;
  const db = drizzle(client, { schema }) as unknown as Database;
  return { db, client, close: () => client.close() };
}
