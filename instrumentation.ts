/**
 * Server start-up. Two periodic jobs run in the server process, so that neither waits for a cron:
 * the hold sweeper, which settles a hold whose request died (crash, killed worker) from its
 * recorded progress or releases it once its TTL passes (HOLD_SWEEP_INTERVAL_SECONDS, 0 = off), and
 * the monthly rollover when the cycle turns (ROLLOVER_CHECK_SECONDS, 0 = off).
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
  const g = globalThis as unknown as { __unitokenTimers?: boolean };
  if (g.__unitokenTimers) return;
  g.__unitokenTimers = true;
  repeat("sweeper", env.HOLD_SWEEP_INTERVAL_SECONDS, async () => {
    const [{ getDb }, { sweepHolds }] = await Promise.all([import("@/lib/server/db"), import("@/lib/ledger")]);
    const r = await sweepHolds(await getDb(), { now: new Date() });
    if (r.settled || r.released) console.log(`[sweeper] holds: ${r.settled} settled, ${r.released} released`);
  });
  // The monthly rollover at start and when the cycle turns (lib/plans/rollover.ts), so plans renew
  // at midnight on the 1st even where no scheduler calls POST /api/jobs/rollover.
  const { rolloverTicker, runRollover, delayToNextTurn } = await import("@/lib/plans/rollover");
  const ticker = rolloverTicker(async (now) => {
    const [{ getDb }, { carrierBilling }] = await Promise.all([import("@/lib/server/db"), import("@/lib/server/wiring")]);
    return runRollover(await getDb(), { now, adapter: carrierBilling() });
  });
  const rollover = async () => {
    const r = await ticker.tick(new Date());
    if (r && (r.closedBills || r.renewed || r.ended || r.lapsed || r.errors.length)) {
      console.log(
        `[rollover] ${r.cycle}: ${r.closedBills} bills closed, ${r.renewed} renewed, ${r.ended} ended, ${r.lapsed} lapsed, ${r.errors.length} errors`,
      );
    }
  };
  if (env.ROLLOVER_CHECK_SECONDS) {
    void rollover().catch(logFailure("rollover"));
    // And a timer for the turn itself, so the new month's allowances are there within seconds of
    // midnight; the interval check is the net under it (a timer lost to a suspended machine).
    const atTurn = () => {
      setTimeout(() => void rollover().catch(logFailure("rollover")).finally(atTurn), delayToNextTurn(new Date())).unref?.();
    };
    atTurn();
  }
  repeat("rollover", env.ROLLOVER_CHECK_SECONDS, rollover);
}

/** Runs `job` every `seconds` (0 = never), one run at a time, logging a failure without its data. */
function repeat(name: string, seconds: number, job: () => Promise<void>): void {
  if (!seconds) return;
  let running = false;
  setInterval(async () => {
    if (running) return;
    running = true;
    try {
      await job();
    } catch (e) {
      await logFailure(name)(e);
    } finally {
      running = false;
    }
  }, seconds * 1000).unref?.();
}

function logFailure(name: string) {
  return async (e: unknown) => {
    const { describeError } = await import("@/lib/core/errors");
    console.error(`[${name}] failed`, describeError(e));
  };
}
