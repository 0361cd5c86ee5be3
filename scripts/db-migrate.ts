/**
 * `npm run db:migrate`: applies drizzle/ migrations as the database owner, DATABASE_MIGRATION_URL
 * (falling back to DATABASE_URL). When the two sign in as different roles, the app's role
 * (DATABASE_URL's user) is then granted what the app needs and no more: DML on every table,
 * sequences and functions, but only SELECT and INSERT on audit_log, whose append-only trigger it
 * cannot disable (lib/db/roles.ts).
 */
import { parseEnv } from "../lib/server/env-schema";
import { migrateDatabase, openDatabase } from "../lib/db/connect";
import { grantAppRole, roleOf } from "../lib/db/roles";

const env = parseEnv(process.env);
const ownerUrl = env.DATABASE_MIGRATION_URL ?? env.DATABASE_URL;
const handle = await openDatabase({ url: ownerUrl, driver: env.DATABASE_DRIVER, wsProxy: env.NEON_WS_PROXY, pgliteDir: env.PGLITE_DIR, max: 1 });
try {
  await migrateDatabase(handle);
  console.log(`migrated (${handle.driver})`);
  if (env.DATABASE_MIGRATION_URL && env.DATABASE_URL && roleOf(env.DATABASE_URL) !== roleOf(env.DATABASE_MIGRATION_URL)) {
    const role = roleOf(env.DATABASE_URL);
    await grantAppRole(handle.db, role);
    console.log(`granted the app role ${role}: DML on every table but audit_log (SELECT, INSERT only), sequences, functions`);
  }
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
} finally {
  await handle.close();
}
