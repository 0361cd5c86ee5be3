import { cycleBounds, cycleOf } from "@/lib/core/cycle";

/**
 * Days left in the Asia/Shanghai month of `at`, counting the current day: 31 on the 1st of a
 * 31-day month, 1 on its last day.
 */
export function remainingDays(at: Date): { remaining: number; days: number; cycle: string } {
  const cycle = cycleOf(at);
  const { start, days } = cycleBounds(cycle);
  const dayIndex = Math.floor((at.getTime() - start.getTime()) / 86_400_000); // 0 on the 1st
  return { remaining: days - dayIndex, days, cycle };
}

/**
 * `amount × remaining / days` in integers, rounded to the nearest unit with halves rounded up
 * (so a price difference of ¥20.00 on 1 of 31 days is 64.5… → 65 fen). The one rounding rule for
 * every proration, fen and tokens alike (first month, upgrades); the purchase sheet states it
 * (`PRORATION_ROUNDING`).
 */
export function prorate(amount: bigint, remaining: number, days: number): bigint {
  if (amount < 0n) throw new Error("prorate: negative amount");
  if (remaining < 0 || remaining > days || days <= 0) throw new Error("prorate: bad day counts");
  const num = amount * BigInt(remaining) * 2n + BigInt(days);
  return num / (2n * BigInt(days));
}

/** How prorate rounds, as the purchase sheet names it (a message key under `plans.rounding`). */
export const PRORATION_ROUNDING = "nearestHalfUp" as const;

/**
 * 按天折算 for a new plan bought at `at`: the fee and the allowance for the days left in this
 * cycle, counting today (whole on the 1st). From the next cycle the full fee and allowance.
 */
export function firstMonthProration(tier: { priceFen: bigint; tokens: bigint }, at: Date) {
  const { remaining, days, cycle } = remainingDays(at);
  return {
    cycle,
    remaining,
    days,
    prorated: remaining < days,
    priceFen: prorate(tier.priceFen, remaining, days),
    tokens: prorate(tier.tokens, remaining, days),
  };
}

/** The price and allowance difference an upgrade costs and grants at `at`. */
export function upgradeProration(from: { priceFen: bigint; tokens: bigint }, to: { priceFen: bigint; tokens: bigint }, at: Date) {
  const { remaining, days, cycle } = remainingDays(at);
  return {
    cycle,
    remaining,
    days,
    priceFen: prorate(to.priceFen - from.priceFen, remaining, days),
    tokens: prorate(to.tokens - from.tokens, remaining, days),
  };
}
