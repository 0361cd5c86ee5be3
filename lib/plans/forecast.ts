import { and, eq, gte, sql } from "drizzle-orm";
import type { Database } from "@/lib/db/types";
import { usage, wallet } from "@/lib/db/schema";
import { cycleBounds, cycleOf } from "@/lib/core/cycle";

/** The pace window: the last 7 days (shorter for a wallet younger than that). */
export const PACE_WINDOW_MS = 7 * 86_400_000;
const MIN_WINDOW_MS = 3_600_000;

/**
 * When the tokens left run out at the recent pace: `spent` (already gone), `runs_out` at a moment
 * before the cycle ends, or `lasts` (to the cycle's end, or nothing was spent lately).
 */
export type Forecast = { kind: "spent" } | { kind: "runs_out"; at: Date } | { kind: "lasts" };

/**
 * Pure: `left` tokens at the pace of `spent` tokens per `windowMs`, from `now`. Integer arithmetic
 * (ms until empty = left × window ÷ spent, rounded down).
 */
export function forecastRunOut({
  left,
  spent,
  windowMs,
  now,
  cycleEnd,
}: {
  left: bigint;
  spent: bigint;
  windowMs: number;
  now: Date;
  cycleEnd: Date;
}): Forecast {
  if (left <= 0n) return { kind: "spent" };
  if (spent <= 0n || windowMs <= 0) return { kind: "lasts" };
  const ms = (left * BigInt(Math.round(windowMs))) / spent;
  const remainingMs = BigInt(cycleEnd.getTime() - now.getTime());
  if (ms >= remainingMs) return { kind: "lasts" };
  return { kind: "runs_out", at: new Date(now.getTime() + Number(ms)) };
}

/** A date the way the texts print it, in China time: 12月23日. */
export function shanghaiMonthDay(d: Date): string {
  const local = new Date(d.getTime() + 8 * 3_600_000);
  return `${local.getUTCMonth() + 1}月${local.getUTCDate()}日`;
}

/** The sentence the texts and notices carry (Chinese; the app's screens use their own messages). */
export function forecastSentence(f: Forecast): string {
  if (f.kind === "spent") return "额度已用完";
  if (f.kind === "lasts") return "按近 7 天用量，本月额度够用到月底";
  return `按近 7 天用量，预计 ${shanghaiMonthDay(f.at)} 用完`;
}

/**
 * The recent pace of a wallet (or of one member in it): plan tokens its usage rows charged in the
 * last 7 days, and the window they cover: from the wallet's creation if that is more recent, but
 * never shorter than its oldest row in the window (usage moved in from elsewhere, or backdated
 * data, is not divided by the wallet's few hours).
 */
export async function recentPace(db: Database, { walletId, userId, now }: { walletId: string; userId?: string; now: Date }) {
  const [w] = await db.select({ createdAt: wallet.createdAt }).from(wallet).where(eq(wallet.id, walletId));
  const since = new Date(now.getTime() - PACE_WINDOW_MS);
  const [r] = await db
    .select({
      spent: sql<string>`coalesce(sum(${usage.planTokens}), 0)::text`,
      oldestMs: sql<string | null>`(extract(epoch from min(${usage.createdAt})) * 1000)::bigint::text`,
    })
    .from(usage)
    .where(
      and(
        eq(usage.walletId, walletId),
        gte(usage.createdAt, since),
        sql`${usage.createdAt} <= ${now.toISOString()}::timestamptz`,
        userId ? eq(usage.userId, userId) : undefined,
      ),
    );
  const oldest = r?.oldestMs ? Number(r.oldestMs) : Number.POSITIVE_INFINITY;
  const age = w ? now.getTime() - Math.min(w.createdAt.getTime(), oldest) : PACE_WINDOW_MS;
  const windowMs = Math.max(MIN_WINDOW_MS, Math.min(PACE_WINDOW_MS, age));
  return { spent: BigInt(r?.spent ?? "0"), windowMs };
}

/** Forecast for `left` tokens of a wallet (or one member's cap) from the last 7 days' pace, to this cycle's end. */
export async function forecastFor(
  db: Database,
  { walletId, userId, left, now }: { walletId: string; userId?: string; left: bigint; now: Date },
): Promise<Forecast> {
  const pace = await recentPace(db, { walletId, userId, now });
  return forecastRunOut({ left, ...pace, now, cycleEnd: cycleBounds(cycleOf(now)).end });
}
