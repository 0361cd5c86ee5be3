import type { Database } from "@/lib/db/types";
import { QuietWallets, checkAllowanceAlerts } from "@/lib/plans/allowance-alerts";
import { cycleOf } from "@/lib/core/cycle";
import type { SmsSender } from "@/lib/sms";
import { describeError } from "@/lib/core/errors";

const pending = new Set<Promise<unknown>>();
/** A personal wallet far from its next alert is checked again within this long. */
const RECHECK_MS = 30_000;
const quiet = new QuietWallets({ recheckMs: RECHECK_MS });

/**
 * After a settle: the plan's 50%/80%/100% allowance and member-cap alerts (lib/plans), each with
 * its forecast and a link to buy a pack (`appUrl` + /plans#packs). Fire-and-forget — a reply
 * never waits for it and its failure is only logged. Run from the pipeline's afterSettle hook,
 * which the app's composition root builds with the app's SMS sender.
 */
export function notifyAfterSettle(
  db: Database,
  {
    walletId,
    walletKind,
    now,
    sender,
    appUrl,
    charged,
  }: { walletId: string; walletKind?: "personal" | "family"; now: Date; sender: SmsSender; appUrl?: string; charged?: bigint },
): void {
  // A personal wallet still far below its next threshold needs no query for this settle.
  if (walletKind === "personal" && charged !== undefined && quiet.skip(walletId, cycleOf(now), charged, now.getTime())) return;
  const observe = walletKind === "personal" ? (u: { cycle: string; granted: bigint; used: bigint }) => quiet.observe(walletId, u, now.getTime()) : undefined;
  const p = checkAllowanceAlerts(db, { walletId, ...(walletKind ? { walletKind } : {}), now, sender, appUrl, ...(observe ? { observe } : {}) })
    .catch((err) => console.error("[pipeline] allowance alerts failed", describeError(err)))
    .finally(() => pending.delete(p));
  pending.add(p);
}

/** Waits for alert checks still running (tests, graceful shutdown). */
export async function flushAfterSettle(): Promise<void> {
  while (pending.size > 0) await Promise.allSettled([...pending]);
}
