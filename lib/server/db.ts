import "server-only";
import { env } from "@/lib/server/env";
import { migrateDatabase, openDatabase, type DbHandle } from "@/lib/db/connect";
import type { Database } from "@/lib/db/types";

export type { Database } from "@/lib/db/types";

const globalForDb = globalThis as unknown as { __unitokenDb?: Promise<DbHandle>; __unitokenDbOpen?: DbHandle };

async function open(): Promise<DbHandle> {
  const handle = await openDatabase({
    url: env.DATABASE_URL,
    driver: env.DATABASE_DRIVER,
    max: env.DATABASE_POOL_MAX,
    wsProxy: env.NEON_WS_PROXY,
    pgliteDir: env.PGLITE_DIR,
  });
  if (handle.driver === "pglite") {
    // The embedded database is created and migrated on first use; seeded only in demo mode.
    await migrateDatabase(handle);
    if (env.demoMode) {
      const { seedIfEmpty } = await import("@/lib/demo/seed/accounts");
      await seedIfEmpty(handle.db, { now: new Date(), demoMode: env.demoMode });
    }
  }
  return handle;
}

/** The process-wide database handle, opened lazily once (PGlite allows one opener). */
export function getDbHandle(): Promise<DbHandle> {
  if (!globalForDb.__unitokenDb) {
    globalForDb.__unitokenDb = open().then(
      (h) => (globalForDb.__unitokenDbOpen = h),
      (err) => {
        globalForDb.__unitokenDb = undefined;
        throw err;
      },
    );
  }
  return globalForDb.__unitokenDb;
}

export async function getDb(): Promise<Database> {
  return (await getDbHandle()).db;
}

/** The database once it is open, without waiting a turn for it (the API's hot path); else getDb(). */
export function dbNowOrLater(): Database | Promise<Database> {
  return globalForDb.__unitokenDbOpen?.db ?? getDb();
}
