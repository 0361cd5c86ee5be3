import type { Database } from "@/lib/db/types";
import { sweepHolds } from "@/lib/ledger";

/**
 * Resolves holds whose request died with its process (TTL passed): settled from the progress
 * the stream recorded, else released. Run periodically by the server and by `npm run jobs:sweep`.
 */
export async function runHoldSweep(db: Database, { now }: { now: Date }): Promise<{ settled: number; released: number; skipped: number }> {
  return sweepHolds(db, { now });
}
