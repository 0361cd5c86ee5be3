import { cycleBounds, cycleOf } from "@/lib/core/cycle";
import { TIERS, type Tier } from "./tiers";
import { firstMonthProration, upgradeProration } from "./proration";
import type { PlanSummary } from "./summary";

export type PlanQuote =
  /** A new plan: this cycle's fee and allowance for the days left; from the next cycle `fullPriceFen` and `fullTokens`. */
  | { tierId: string; kind: "subscribe"; priceFen: bigint; tokens: bigint; remaining: number; days: number; fullPriceFen: bigint; fullTokens: bigint }
  | { tierId: string; kind: "upgrade"; priceFen: bigint; tokens: bigint; remaining: number; days: number }
  | { tierId: string; kind: "downgrade"; effectiveAt: Date }
  | { tierId: string; kind: "current" };

/** What choosing each tier would do now: price and tokens of a subscribe/upgrade, or when a downgrade lands. */
export function quotePlans(summary: Pick<PlanSummary, "tier">, now: Date): PlanQuote[] {
  const current = summary.tier;
  return TIERS.map((t: Tier): PlanQuote => {
    if (!current) {
      const p = firstMonthProration(t, now);
      return {
        tierId: t.id,
        kind: "subscribe",
        priceFen: p.priceFen,
        tokens: p.tokens,
        remaining: p.remaining,
        days: p.days,
        fullPriceFen: t.priceFen,
        fullTokens: t.tokens,
      };
    }
    if (t.id === current.id) return { tierId: t.id, kind: "current" };
    if (t.priceFen > current.priceFen) {
      const p = upgradeProration(current, t, now);
      return { tierId: t.id, kind: "upgrade", priceFen: p.priceFen, tokens: p.tokens, remaining: p.remaining, days: p.days };
    }
    return { tierId: t.id, kind: "downgrade", effectiveAt: cycleBounds(cycleOf(now)).end };
  });
}
