import type { Database } from "@/lib/db/types";
import { checkAllowanceAlerts } from "@/lib/plans/alerts";
import { describeError } from "@/lib/core/errors";

const pending = new Set<Promise<unknown>>();

/**
 * After a settle: the plan's 80%/100% allowance alerts (lib/plans). Fire-and-forget — a reply
 * never waits for it and its failure is only logged.
 */
export function notifyAfterSettle(db: Database, { walletId, now }: { walletId: string; now: Date }): void {
  const p = checkAllowanceAlerts(db, { walletId, now })
    .catch((err) => console.error("[pipeline] allowance alerts failed", describeError(err)))
    .finally(() => pending.delete(p));
  pending.add(p);
}

/** Waits for alert checks still running (tests, graceful shutdown). */
export async function flushAfterSettle(): Promise<void> {
  while (pending.size > 0) await Promise.allSettled([...pending]);
}
