import { and, eq, gt, inArray, isNull } from "drizzle-orm";
import type { Database } from "@/lib/db/types";
import { bucket, wallet } from "@/lib/db/schema";
import { cycleBounds, cycleOf } from "@/lib/core/cycle";
import { getTier, type Tier } from "./tiers";
import { allowanceUsage, listActiveAlerts, planTokensLeft } from "./allowance-alerts";
import { forecastFor, type Forecast } from "./forecast";
import { getSubscription } from "./subscriptions";
import { countFamilyMembers } from "@/lib/ledger";

export type PlanSummary = {
  cycle: string;
  tier: Tier | null;
  status: "active" | "ended" | "lapsed" | "none";
  walletId: string | null;
  allowance: { granted: bigint; left: bigint; used: bigint };
  /** Start of the next cycle, when the plan renews (null if it ends or there is none). */
  renewsAt: Date | null;
  scheduled: { action: "downgrade" | "cancel"; tier: Tier | null; effectiveAt: Date } | null;
  packs: { id: string; left: bigint; granted: bigint; expiresAt: Date; source: string }[];
  trial: { left: bigint; granted: bigint; expiresAt: Date } | null;
  /** 上月结转: last cycle's unused allowance, spent before this cycle's, good until this cycle ends. */
  carryover: { left: bigint; granted: bigint; expiresAt: Date } | null;
  familyMembers: number;
  /** When this cycle's plan tokens (allowance + carry-over) run out at the last 7 days' pace. */
  forecast: Forecast | null;
  alerts: { id: string; threshold: number; createdAt: Date }[];
};

/** What /plans and customer service show: current tier, allowance left, renewal, scheduled change. */
export async function getPlanSummary(db: Database, { userId, now }: { userId: string; now: Date }): Promise<PlanSummary> {
  const cycle = cycleOf(now);
  const sub = await getSubscription(db, { userId });
  const active = sub?.status === "active";
  const tier = sub ? (getTier(sub.tierId) ?? null) : null;
  const next = cycleBounds(cycle).end;
  const allowance = sub && active ? await allowanceUsage(db, { walletId: sub.walletId, cycle }) : { granted: 0n, left: 0n, used: 0n };
  const owned = await db.select({ id: wallet.id }).from(wallet).where(eq(wallet.ownerUserId, userId));
  const ids = owned.map((w) => w.id);
  const live = ids.length
    ? await db
        .select()
        .from(bucket)
        .where(and(inArray(bucket.walletId, ids), inArray(bucket.kind, ["pack", "trial", "carryover"]), isNull(bucket.expiredAt), gt(bucket.expiresAt, now)))
        .orderBy(bucket.expiresAt)
    : [];
  const trialRow = live.find((b) => b.kind === "trial");
  const carried = live.filter((b) => b.kind === "carryover");
  const alerts = await listActiveAlerts(db, { userId, now });
  return {
    cycle,
    tier: active ? tier : null,
    status: sub?.status ?? "none",
    walletId: sub?.walletId ?? null,
    allowance,
    renewsAt: active && sub?.scheduledAction !== "cancel" ? next : null,
    scheduled:
      active && sub?.scheduledAction
        ? { action: sub.scheduledAction, tier: sub.scheduledTierId ? (getTier(sub.scheduledTierId) ?? null) : null, effectiveAt: next }
        : null,
    packs: live
      .filter((b) => b.kind === "pack")
      .map((b) => ({ id: b.id, left: b.available + b.held, granted: b.granted, expiresAt: b.expiresAt, source: b.source })),
    trial: trialRow ? { left: trialRow.available + trialRow.held, granted: trialRow.granted, expiresAt: trialRow.expiresAt } : null,
    carryover: carried.length
      ? {
          left: carried.reduce((n, b) => n + b.available + b.held, 0n),
          granted: carried.reduce((n, b) => n + b.granted, 0n),
          expiresAt: carried[0]!.expiresAt,
        }
      : null,
    familyMembers: await countFamilyMembers(db, { ownerUserId: userId }),
    forecast:
      sub && active && allowance.granted > 0n
        ? await forecastFor(db, { walletId: sub.walletId, left: await planTokensLeft(db, { walletId: sub.walletId, cycle, now }), now })
        : null,
    alerts: alerts.map((a) => ({ id: a.id, threshold: a.threshold, createdAt: a.createdAt })),
  };
}
