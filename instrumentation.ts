/**
 * Server start-up: a periodic hold sweeper in the server process, so a hold whose request died
 * (crash, killed worker) is settled from its recorded progress or released once its TTL passes,
 * even where no cron runs `npm run jobs:sweep`. HOLD_SWEEP_INTERVAL_SECONDS=0 turns it off.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  // Before anything else: every request carries its real TCP peer (lib/auth/client-ip), so a
  // client-sent X-Forwarded-For cannot choose the IP that rate limits and sessions record.
  const [http, { installPeerAddressHeader }] = await Promise.all([import("node:http"), import("@/lib/auth/client-ip")]);
  installPeerAddressHeader(http);
  // Parsing the env here makes a bad configuration (e.g. the console SMS sender in production)
  // stop the server at start, instead of failing every request that reads it.
  let env: typeof import("@/lib/server/env")["env"];
  try {
    ({ env } = await import("@/lib/server/env"));
  } catch (err) {
    console.error(`[unitoken] ${(err as Error).message}`);
    process.exit(1);
  }
  // CATALOG_URL: price with the newest refreshed catalog, checked hourly (lib/server/catalog-refresh.ts).
  if (env.CATALOG_URL) {
    const url = env.CATALOG_URL;
    const sync = async () => {
      const [{ getDb }, { syncCatalog }] = await Promise.all([import("@/lib/server/db"), import("@/lib/server/catalog-refresh")]);
      await syncCatalog(await getDb(), { url, refreshHours: env.CATALOG_REFRESH_HOURS });
    };
    void sync();
    setInterval(() => void sync(), 3_600_000).unref?.();
  }
  const every = env.HOLD_SWEEP_INTERVAL_SECONDS;
  if (!every) return;
  const g = globalThis as unknown as { __unitokenSweeper?: ReturnType<typeof setInterval> };
  if (g.__unitokenSweeper) return;
  let running = false;
  g.__unitokenSweeper = setInterval(async () => {
    if (running) return;
    running = true;
    try {
      const [{ getDb }, { sweepHolds }] = await Promise.all([import("@/lib/server/db"), import("@/lib/ledger")]);
      const r = await sweepHolds(await getDb(), { now: new Date() });
      if (r.settled || r.released) console.log(`[sweeper] holds: ${r.settled} settled, ${r.released} released`);
    } catch (e) {
      const { describeError } = await import("@/lib/core/errors");
      console.error("[sweeper] hold sweep failed", describeError(e));
    } finally {
      running = false;
    }
  }, every * 1000);
  g.__unitokenSweeper.unref?.();
}
