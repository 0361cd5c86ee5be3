import { parseEnv } from "../lib/server/env-schema";
import { migrateDatabase, openDatabase, type DbHandle } from "../lib/db/connect";

/** Opens the configured database for a command-line tool (migrating the embedded one). */
export async function openCliDatabase(opts: { migrate?: boolean; max?: number } = {}): Promise<DbHandle> {
  const env = parseEnv(process.env);
  const handle = await openDatabase({
    url: env.DATABASE_URL,
    driver: env.DATABASE_DRIVER,
    wsProxy: env.NEON_WS_PROXY,
    pgliteDir: env.PGLITE_DIR,
    max: opts.max,
  });
  if (opts.migrate ?? handle.driver === "pglite") await migrateDatabase(handle);
  return handle;
}

/** `--name value` style flags. */
export function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
