import { and, eq, lt } from "drizzle-orm";
import type { Database } from "@/lib/db/types";
import { bill, subscription } from "@/lib/db/schema";
import { expireBuckets } from "@/lib/ledger";
import { cycleBounds, cycleOf } from "@/lib/core/cycle";
import { refreshBillTotal } from "@/lib/billing/lines";
import type { CarrierBillingAdapter } from "@/lib/billing/carrier";
import { rollOverUser } from "./subscriptions";

export type RolloverReport = {
  cycle: string;
  closedBills: number;
  renewed: number;
  ended: number;
  lapsed: number;
  errors: { userId: string; error: string }[];
};

/**
 * The monthly job: close the bills of past cycles, expire what ran out, then bring every
 * active subscription into the current cycle (scheduled change, renewal charge, new
 * allowance). One idempotent pass: a second run finds nothing to do.
 */
export async function runRollover(db: Database, { now, adapter }: { now: Date; adapter: CarrierBillingAdapter }): Promise<RolloverReport> {
  const cycle = cycleOf(now);
  const report: RolloverReport = { cycle, closedBills: 0, renewed: 0, ended: 0, lapsed: 0, errors: [] };

  const open = await db
    .select({ id: bill.id })
    .from(bill)
    .where(and(eq(bill.status, "open"), lt(bill.cycle, cycle)));
  for (const b of open) {
    await refreshBillTotal(db, b.id);
    const closed = await db
      .update(bill)
      .set({ status: "closed", closedAt: now })
      .where(and(eq(bill.id, b.id), eq(bill.status, "open")))
      .returning({ id: bill.id });
    report.closedBills += closed.length;
  }

  await expireBuckets(db, { now });

  const due = await db
    .select({ userId: subscription.userId })
    .from(subscription)
    .where(and(eq(subscription.status, "active"), lt(subscription.currentCycle, cycle)));
  for (const { userId } of due) {
    try {
      const r = await rollOverUser(db, { userId, now, adapter });
      if (r !== "none") report[r] += 1;
    } catch (err) {
      // One subscriber's failure must not stop everyone else's renewal; the next run retries.
      report.errors.push({ userId, error: err instanceof Error ? err.message : String(err) });
    }
  }
  return report;
}

/**
 * A plan that missed its cycle's turn (the scheduler has not run yet, or failed): when a request
 * finds the wallet dry, the plan paying that wallet is brought into the current cycle first, so
 * the new month's allowance is there before anything is bought. Returns what happened to it.
 */
export async function rollOverWalletPlan(
  db: Database,
  { walletId, now, adapter }: { walletId: string; now: Date; adapter: CarrierBillingAdapter },
): Promise<"none" | "renewed" | "ended" | "lapsed"> {
  const [behind] = await db
    .select({ userId: subscription.userId })
    .from(subscription)
    .where(and(eq(subscription.walletId, walletId), eq(subscription.status, "active"), lt(subscription.currentCycle, cycleOf(now))))
    .limit(1);
  return behind ? rollOverUser(db, { userId: behind.userId, now, adapter }) : "none";
}

/**
 * The rollover in the server process: `tick(now)` runs the monthly job when the cycle has turned
 * since the last pass that finished without errors (so once at start, once a month, and again
 * after a failure), never two at once. Several instances may tick together: every step of the job
 * is keyed by (subscription, cycle), so the second finds nothing to do.
 */
export function rolloverTicker(run: (now: Date) => Promise<RolloverReport>): { tick: (now: Date) => Promise<RolloverReport | null> } {
  let done: string | null = null;
  let running = false;
  return {
    async tick(now) {
      const cycle = cycleOf(now);
      if (running || done === cycle) return null;
      running = true;
      try {
        const report = await run(now);
        if (report.errors.length === 0) done = cycle;
        return report;
      } finally {
        running = false;
      }
    },
  };
}

/**
 * How long a timer waits to wake at the next cycle's turn, a second after it (so the turn has
 * happened), capped at what `setTimeout` takes (≈24.8 days): a capped timer wakes early, finds the
 * same cycle and is set again.
 */
export function delayToNextTurn(now: Date): number {
  return Math.min(cycleBounds(cycleOf(now)).end.getTime() - now.getTime() + 1000, 2 ** 31 - 1);
}
