// npm run jobs:sweep — resolves holds whose request died with its process (past the hold TTL):
// settled from the progress the stream recorded, else released. Safe to run any time, and
// concurrently with live traffic (each hold resolves exactly once).
import { parseEnv } from "../lib/server/env-schema";
import { sweepHolds } from "../lib/ledger";
import { openCliDatabase } from "./cli-db";

parseEnv(process.env);
const handle = await openCliDatabase({ max: 2 });
let code = 0;
try {
  const r = await sweepHolds(handle.db, { now: new Date() });
  console.log(`hold sweep: ${r.settled} settled, ${r.released} released, ${r.skipped} already resolved`);
} catch (e) {
  code = 1;
  console.error("hold sweep failed:", e);
} finally {
  await handle.close();
}
process.exit(code);
