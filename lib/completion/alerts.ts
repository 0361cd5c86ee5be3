import type { Database } from "@/lib/db/types";
import { checkAllowanceAlerts } from "@/lib/plans/allowance-alerts";
import type { SmsSender } from "@/lib/sms";
import { describeError } from "@/lib/core/errors";

const pending = new Set<Promise<unknown>>();

/**
 * After a settle: the plan's 50%/80%/100% allowance and member-cap alerts (lib/plans), each with
 * its forecast and a link to buy a pack (`appUrl` + /plans#packs). Fire-and-forget — a reply
 * never waits for it and its failure is only logged. Run from the pipeline's afterSettle hook,
 * which the app's composition root builds with the app's SMS sender.
 */
export function notifyAfterSettle(
  db: Database,
  { walletId, walletKind, now, sender, appUrl }: { walletId: string; walletKind?: "personal" | "family"; now: Date; sender: SmsSender; appUrl?: string },
): void {
  const p = checkAllowanceAlerts(db, { walletId, ...(walletKind ? { walletKind } : {}), now, sender, appUrl })
    .catch((err) => console.error("[pipeline] allowance alerts failed", describeError(err)))
    .finally(() => pending.delete(p));
  pending.add(p);
}

/** Waits for alert checks still running (tests, graceful shutdown). */
export async function flushAfterSettle(): Promise<void> {
  while (pending.size > 0) await Promise.allSettled([...pending]);
}
