import { and, desc, eq, gt, isNotNull, isNull, sql } from "drizzle-orm";
import type { Database } from "@/lib/db/types";
import { bucket, memberSpend, planAlert, user, wallet, walletMember, type PlanAlert } from "@/lib/db/schema";
import type { SmsSender } from "@/lib/sms";
import { cycleOf } from "@/lib/core/cycle";
import { formatTokens } from "@/lib/core/format";
import { ALERT_THRESHOLDS, type AlertThreshold } from "./tiers";
import { forecastFor, forecastSentence, type Forecast } from "./forecast";

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

/** This cycle's plan tokens still to spend in a wallet: allowance plus what was carried over (结转). */
export async function planTokensLeft(db: Database, { walletId, cycle, now }: { walletId: string; cycle: string; now: Date }): Promise<bigint> {
  const [r] = await db
    .select({ left: sql<string>`coalesce(sum(${bucket.available}), 0)::text` })
    .from(bucket)
    .where(
      and(
        eq(bucket.walletId, walletId),
        sql`${bucket.kind} in ('allowance', 'carryover')`,
        eq(bucket.cycle, cycle),
        isNull(bucket.expiredAt),
        gt(bucket.expiresAt, now),
      ),
    );
  return BigInt(r?.left ?? "0");
}

/**
 * Tokens a wallet can still use this cycle before its allowance reaches the next alert threshold
 * it has not reached; null when there is none (nothing granted, or every threshold reached).
 */
export function tokensToNextAlert(granted: bigint, used: bigint): bigint | null {
  if (granted <= 0n) return null;
  for (const t of ALERT_THRESHOLDS) {
    // Reached when used × 100 ≥ granted × t: at the smallest whole `used` meeting that.
    const at = (granted * BigInt(t) + 99n) / 100n;
    if (used < at) return at - used;
  }
  return null;
}

/**
 * Personal wallets whose next allowance alert is still far off, per process: after a check, the
 * settles that follow count down what is left before that threshold and skip the check (a query
 * per request) while it stays above zero; a wallet with no threshold left to reach skips it
 * until the next check. Spending or granting this process does not see (another instance, a
 * plan bought or changed) is caught by the next check, at most `recheckMs` later; a family
 * wallet, whose members have their own caps, is checked every time.
 */
export class QuietWallets {
  /** `left` null: no threshold is left to reach (nothing granted, or all reached) until the next check. */
  private readonly quiet = new Map<string, { cycle: string; left: bigint | null; until: number }>();

  constructor(private readonly opts: { recheckMs: number; maxEntries?: number }) {}

  /** Whether the settle of `charged` tokens needs no check; counts it down when it does not. */
  skip(walletId: string, cycle: string, charged: bigint, nowMs: number): boolean {
    const q = this.quiet.get(walletId);
    if (!q || q.cycle !== cycle || nowMs >= q.until) return false;
    if (q.left === null) return true;
    q.left -= charged;
    return q.left > 0n;
  }

  /** What a check read: remembered until the next threshold or `recheckMs`. */
  observe(walletId: string, u: { cycle: string; granted: bigint; used: bigint }, nowMs: number): void {
    const left = tokensToNextAlert(u.granted, u.used);
    if (this.quiet.size >= (this.opts.maxEntries ?? 100_000)) this.quiet.clear();
    this.quiet.set(walletId, { cycle: u.cycle, left, until: nowMs + this.opts.recheckMs });
  }
}

/** The texts' link to buy a pack. */
export const packsPath = "/plans#packs";

function allowanceText(threshold: AlertThreshold, used: bigint, total: bigint, forecast: Forecast, link: string): string {
  const head =
    threshold >= 100
      ? `【Unitoken】本月套餐额度已用完（${formatTokens(used)}/${formatTokens(total)} tokens），之后将消耗加油包或试用额度。`
      : `【Unitoken】本月套餐额度已使用 ${threshold}%（${formatTokens(used)}/${formatTokens(total)} tokens）。${forecastSentence(forecast)}。`;
  return `${head}买加油包：${link}`;
}

function memberText(threshold: AlertThreshold, used: bigint, cap: bigint, forecast: Forecast, link: string): string {
  const head =
    threshold >= 100
      ? `【Unitoken】你本月的家庭额度上限已用完（${formatTokens(used)}/${formatTokens(cap)} tokens），可请户主调整上限。`
      : `【Unitoken】你本月的家庭额度上限已使用 ${threshold}%（${formatTokens(used)}/${formatTokens(cap)} tokens）。${forecastSentence(forecast)}。`;
  return `${head}买加油包：${link}`;
}

/** Records one alert; true only for the caller whose insert made it (the unique key decides). */
async function claimAlert(db: Database, row: typeof planAlert.$inferInsert): Promise<boolean> {
  const inserted = await db
    .insert(planAlert)
    .values(row)
    .onConflictDoNothing({ target: [planAlert.walletId, planAlert.cycle, planAlert.threshold, planAlert.memberUserId] })
    .returning({ id: planAlert.id });
  return inserted.length === 1;
}

/**
 * After each settle: raises the 50%, 80% and 100% alerts of the wallet's allowance this cycle
 * (to the wallet's owner) and of each capped family member's cap (to that member), each an in-app
 * notice and a text with the forecast from the last 7 days' pace and a link to buy a pack.
 * Keeps: at most one alert per threshold per cycle per wallet (and member) — a unique key, so
 * concurrent settles send one text.
 */
export async function checkAllowanceAlerts(
  db: Database,
  {
    walletId,
    walletKind,
    now,
    sender,
    appUrl = "",
    observe,
  }: {
    walletId: string;
    /** "personal" when known: a personal wallet has no members, so no member-cap query. */
    walletKind?: "personal" | "family";
    now: Date;
    sender: SmsSender;
    appUrl?: string;
    /** Told the allowance as read (for QuietWallets). */
    observe?: (u: { cycle: string; granted: bigint; used: bigint }) => void;
  },
): Promise<AlertThreshold[]> {
  const cycle = cycleOf(now);
  const link = `${appUrl}${packsPath}`;
  const fired: AlertThreshold[] = [];
  const { granted, used } = await allowanceUsage(db, { walletId, cycle });
  observe?.({ cycle, granted, used });
  const reached = granted > 0n ? ALERT_THRESHOLDS.filter((t) => used * 100n >= granted * BigInt(t)) : [];
  if (reached.length > 0) {
    const [w] = await db
      .select({ ownerUserId: wallet.ownerUserId, phone: user.phone })
      .from(wallet)
      .innerJoin(user, eq(user.id, wallet.ownerUserId))
      .where(eq(wallet.id, walletId));
    if (w) {
      let forecast: Forecast | null = null;
      for (const threshold of reached) {
        if (!(await claimAlert(db, { walletId, userId: w.ownerUserId, cycle, threshold, usedTokens: used, allowanceTokens: granted, createdAt: now })))
          continue;
        fired.push(threshold);
        forecast ??= await forecastFor(db, { walletId, left: await planTokensLeft(db, { walletId, cycle, now }), now });
        await sender.send({ phone: w.phone, kind: "alert", body: allowanceText(threshold, used, granted, forecast, link) });
      }
    }
  }
  if (walletKind !== "personal") await checkMemberCapAlerts(db, { walletId, cycle, now, sender, link });
  return fired;
}

/** The cap alerts of a family wallet's capped members (see checkAllowanceAlerts). */
async function checkMemberCapAlerts(db: Database, o: { walletId: string; cycle: string; now: Date; sender: SmsSender; link: string }) {
  const members = await db
    .select({ userId: walletMember.userId, cap: walletMember.capTokens, phone: user.phone, used: memberSpend.used, held: memberSpend.held })
    .from(walletMember)
    .innerJoin(user, eq(user.id, walletMember.userId))
    .innerJoin(memberSpend, and(eq(memberSpend.walletId, walletMember.walletId), eq(memberSpend.userId, walletMember.userId), eq(memberSpend.cycle, o.cycle)))
    .where(
      and(
        eq(walletMember.walletId, o.walletId),
        eq(walletMember.role, "member"),
        eq(walletMember.status, "active"),
        isNotNull(walletMember.capTokens),
        gt(walletMember.capTokens, 0n),
      ),
    );
  for (const m of members) {
    const cap = m.cap!;
    const gone = m.used + m.held;
    let forecast: Forecast | null = null;
    for (const threshold of ALERT_THRESHOLDS) {
      if (gone * 100n < cap * BigInt(threshold)) continue;
      if (
        !(await claimAlert(db, {
          walletId: o.walletId,
          userId: m.userId,
          memberUserId: m.userId,
          cycle: o.cycle,
          threshold,
          usedTokens: gone,
          allowanceTokens: cap,
          createdAt: o.now,
        }))
      )
        continue;
      forecast ??= await forecastFor(db, { walletId: o.walletId, userId: m.userId, left: cap > gone ? cap - gone : 0n, now: o.now });
      await o.sender.send({ phone: m.phone, kind: "alert", body: memberText(threshold, gone, cap, forecast, o.link) });
    }
  }
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

export type AlertNotice = { id: string; threshold: number; member: boolean; createdAt: Date; forecast: Forecast };

/**
 * The in-app notices: the user's undismissed alerts of this cycle, newest threshold first, each
 * with the forecast as of now (the wallet's plan tokens, or the member's cap, at the last 7 days' pace).
 */
export async function listAlertNotices(db: Database, { userId, now }: { userId: string; now: Date }): Promise<AlertNotice[]> {
  const alerts = await listActiveAlerts(db, { userId, now });
  const cycle = cycleOf(now);
  const cache = new Map<string, Forecast>();
  const out: AlertNotice[] = [];
  for (const a of alerts) {
    const key = `${a.walletId}:${a.memberUserId ?? ""}`;
    let forecast = cache.get(key);
    if (!forecast) {
      if (a.memberUserId) {
        const [m] = await db
          .select({ cap: walletMember.capTokens, used: memberSpend.used, held: memberSpend.held })
          .from(walletMember)
          .leftJoin(
            memberSpend,
            and(eq(memberSpend.walletId, walletMember.walletId), eq(memberSpend.userId, walletMember.userId), eq(memberSpend.cycle, cycle)),
          )
          .where(and(eq(walletMember.walletId, a.walletId), eq(walletMember.userId, a.memberUserId)));
        const gone = (m?.used ?? 0n) + (m?.held ?? 0n);
        const left = m?.cap != null && m.cap > gone ? m.cap - gone : 0n;
        forecast = await forecastFor(db, { walletId: a.walletId, userId: a.memberUserId, left, now });
      } else {
        forecast = await forecastFor(db, { walletId: a.walletId, left: await planTokensLeft(db, { walletId: a.walletId, cycle, now }), now });
      }
      cache.set(key, forecast);
    }
    out.push({ id: a.id, threshold: a.threshold, member: a.memberUserId !== null, createdAt: a.createdAt, forecast });
  }
  return out;
}
