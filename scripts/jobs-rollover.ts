// npm run jobs:rollover — the monthly rollover (close past bills, expire, renew, apply scheduled
// changes). Idempotent: run it as often as you like; `--at <ISO time>` to run as of an instant.
import { openCliDatabase, flag } from "./cli-db";
import { runRollover } from "../lib/plans/rollover";
import { embeddedCarrier } from "../lib/billing/carrier";

const at = flag("at");
const now = at ? new Date(at) : new Date();
if (Number.isNaN(now.getTime())) {
  console.error(`bad --at ${at}`);
  process.exit(2);
}
const handle = await openCliDatabase();
let code = 0;
try {
  const r = await runRollover(handle.db, { now, adapter: embeddedCarrier });
  console.log(`rollover ${r.cycle}: closed ${r.closedBills} bills, renewed ${r.renewed}, ended ${r.ended}, lapsed ${r.lapsed}`);
  for (const e of r.errors) console.error(`  ✗ ${e.userId}: ${e.error}`);
  if (r.errors.length) code = 1;
} finally {
  await handle.close();
}
process.exit(code);
