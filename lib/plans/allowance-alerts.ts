import { and, desc, eq, isNull, sql } from "drizzle-orm";
import type { Database } from "@/lib/db/types";
import { bucket, planAlert, user, wallet, type PlanAlert } from "@/lib/db/schema";
import type { SmsSender } from "@/lib/sms";
import { cycleOf } from "@/lib/core/cycle";
import { formatTokens } from "@/lib/core/format";
import { ALERT_THRESHOLDS, type AlertThreshold } from "./tiers";

/** Allowance granted to a wallet for a cycle and how much of it is gone (used or held). */
export async function allowanceUsage(
  db: Database,
  { walletId, cycle }: { walletId: string; cycle: string },
): Promise<{ granted: bigint; left: bigint; used: bigint }> {
  const [r] = await db
    .select({
      granted: sql<string>`coalesce(sum(${bucket.granted}), 0)::text`,
      left: sql<string>`coalesce(sum(case when ${bucket.expiredAt} is null then ${bucket.available} + ${bucket.held} else 0 end), 0)::text`,
    })
    .from(bucket)
    .where(and(eq(bucket.walletId, walletId), eq(bucket.kind, "allowance"), eq(bucket.cycle, cycle)));
  const granted = BigInt(r?.granted ?? "0");
  const left = BigInt(r?.left ?? "0");
  return { granted, left, used: granted - left };
}

const smsText: Record<AlertThreshold, (used: string, total: string) => string> = {
  80: (u, t) => `【Unitoken】本月套餐额度已使用 80%（${u}/${t} tokens）。可在“套餐”页购买加油包或升级套餐。`,
  100: (u, t) => `【Unitoken】本月套餐额度已用完（${u}/${t} tokens），之后将消耗加油包或试用额度。可在“套餐”页购买加油包。`,
};

/**
 * After each settle: raises the 80% and 100% allowance alerts of the wallet's current cycle.
 * Keeps: at most one alert (notice + SMS to the wallet owner) per threshold per cycle.
 */
export async function checkAllowanceAlerts(
  db: Database,
  { walletId, now, sender }: { walletId: string; now: Date; sender: SmsSender },
): Promise<AlertThreshold[]> {
  const cycle = cycleOf(now);
  const { granted, used } = await allowanceUsage(db, { walletId, cycle });
  if (granted <= 0n) return [];
  const reached = ALERT_THRESHOLDS.filter((t) => used * 100n >= granted * BigInt(t));
  if (reached.length === 0) return [];
  const [w] = await db
    .select({ ownerUserId: wallet.ownerUserId, phone: user.phone })
    .from(wallet)
    .innerJoin(user, eq(user.id, wallet.ownerUserId))
    .where(eq(wallet.id, walletId));
  if (!w) return [];
  const fired: AlertThreshold[] = [];
  for (const threshold of reached) {
    const inserted = await db
      .insert(planAlert)
      .values({ walletId, userId: w.ownerUserId, cycle, threshold, usedTokens: used, allowanceTokens: granted, createdAt: now })
      .onConflictDoNothing({ target: [planAlert.walletId, planAlert.cycle, planAlert.threshold] })
      .returning({ id: planAlert.id });
    if (inserted.length === 0) continue;
    fired.push(threshold);
    await sender.send({ phone: w.phone, kind: "alert", body: smsText[threshold](formatTokens(used), formatTokens(granted)) });
  }
  return fired;
}

/** The user's undismissed alerts of the current cycle, newest first (for the in-app notice). */
export async function listActiveAlerts(db: Database, { userId, now }: { userId: string; now: Date }): Promise<PlanAlert[]> {
  return db
    .select()
    .from(planAlert)
    .where(and(eq(planAlert.userId, userId), eq(planAlert.cycle, cycleOf(now)), isNull(planAlert.dismissedAt)))
    .orderBy(desc(planAlert.threshold));
}

export async function dismissAlert(db: Database, { userId, alertId, now }: { userId: string; alertId: string; now: Date }): Promise<boolean> {
  const rows = await db
    .update(planAlert)
    .set({ dismissedAt: now })
    .where(and(eq(planAlert.id, alertId), eq(planAlert.userId, userId)))
    .returning({ id: planAlert.id });
  return rows.length === 1;
}
