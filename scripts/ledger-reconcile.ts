// npm run ledger:reconcile — checks every ledger invariant over the configured database and
// exits non-zero with a readable report of each difference.
//
// More checks (e.g. bills, from lib/billing/bill-checks.ts) join by adding to `checks` below.
import { parseEnv } from "../lib/server/env-schema";
import { migrateDatabase, openDatabase } from "../lib/db/connect";
import { ledgerChecks, ledgerNotices, runChecks, type ReconcileCheck } from "../lib/ledger";

const checks: ReconcileCheck[] = [...ledgerChecks, ...(await import("../lib/billing/bill-checks")).billingChecks];

const env = parseEnv(process.env);
const handle = await openDatabase({ url: env.DATABASE_URL, driver: env.DATABASE_DRIVER, wsProxy: env.NEON_WS_PROXY, pgliteDir: env.PGLITE_DIR, max: 2 });
let code = 0;
try {
  // The embedded database is migrated on open everywhere else too; a server database is not touched.
  if (handle.driver === "pglite") await migrateDatabase(handle);
  const started = Date.now();
  const report = await runChecks(handle.db, checks, ledgerNotices);
  const ms = Date.now() - started;
  // Listed for people to look at (usage no provider reported, reported zeros, unpaid late charges); not failures.
  for (const n of report.notices) console.log(`notice: ${n.check}: ${n.detail}`);
  if (report.ok) {
    console.log(`ledger reconcile: ${checks.length} checks passed on ${handle.driver} in ${ms} ms`);
  } else {
    code = 1;
    const byCheck = new Map<string, string[]>();
    for (const p of report.problems) byCheck.set(p.check, [...(byCheck.get(p.check) ?? []), p.detail]);
    console.error(`ledger reconcile: ${report.problems.length} problem(s) in ${byCheck.size} of ${checks.length} checks`);
    for (const [check, details] of byCheck) {
      console.error(`\n✗ ${check} (${details.length})`);
      for (const d of details.slice(0, 50)) console.error(`  - ${d}`);
      if (details.length > 50) console.error(`  … and ${details.length - 50} more`);
    }
  }
} catch (e) {
  code = 2;
  console.error(`ledger reconcile failed to run: ${(e as Error).message}`);
} finally {
  await handle.close();
}
process.exit(code);
