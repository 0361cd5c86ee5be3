import { randomBytes } from "node:crypto";
import pg from "pg";
import { migrateDatabase, openDatabase, type DbHandle } from "@/lib/db/connect";

/**
 * A fresh database on the real PostgreSQL started by scripts/with-pg.mjs, reached through the
 * Neon driver over the WebSocket proxy (as production reaches Neon). Dropped on close.
 */
export async function createPgTestDb(opts: { max?: number; driver?: "neon" | "node" } = {}): Promise<DbHandle & { url: string }> {
  const admin = process.env.PG_TEST_URL;
  if (!admin) throw new Error("PG_TEST_URL is not set: run through `node scripts/with-pg.mjs -- ...`");
  const name = `t_${randomBytes(6).toString("hex")}`;
  const adminClient = new pg.Client({ connectionString: admin });
  await adminClient.connect();
  await adminClient.query(`CREATE DATABASE ${name}`);
  await adminClient.end();
  const url = admin.replace(/\/[^/]*$/, `/${name}`);
  const handle = await openDatabase({ url, driver: opts.driver ?? "neon", wsProxy: process.env.NEON_WS_PROXY, max: opts.max ?? 20 });
  await migrateDatabase(handle);
  return {
    ...handle,
    url,
    close: async () => {
      await handle.close();
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
