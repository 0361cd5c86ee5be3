/**
 * Plan-token weights. One plan token buys one upstream token of a model whose list price is
 * the reference price (USD per 1M tokens). A model's weight is its list price divided by the
 * reference price, in fixed point (× 1e6, rounded up), never below the floor:
 *
 *   weightMicro = max(floorMicro, ceil(priceUsdPerM × 1e6 / referenceUsdPerM))
 *
 * With the default reference of USD 1.00/1M, DeepSeek-chat's USD 0.57/1.68 list price weighs
 * 0.57 / 1.68 plan tokens per input / output token; a model listed at zero costs the floor.
 */

import { MICRO, planTokens } from "./weights";

/** USD (a float from the dataset) to integer micro-dollars, exact for the dataset's decimals. */
function toMicroUsd(usd: number): bigint {
  return BigInt(Math.round(usd * 1_000_000));
}

export function weightMicro(priceUsdPerM: number, referenceUsdPerM: number, floorMicro: bigint): bigint {
  const price = toMicroUsd(Math.max(0, priceUsdPerM));
  const ref = toMicroUsd(referenceUsdPerM);
  if (ref <= 0n) throw new Error("reference price must be positive");
  const w = (price * MICRO + ref - 1n) / ref;
  return w < floorMicro ? floorMicro : w;
}

/** Plan tokens charged for `tokens` upstream tokens at `weight` (rounded up): planTokens for one side. */
export function planTokensFor(tokens: bigint | number, weight: bigint): bigint {
  return planTokens({ tokensIn: Number(tokens), tokensOut: 0, weightInMicro: weight, weightOutMicro: 0n });
}

/** Plan tokens per 1K upstream tokens, as a display number (may be fractional). */
export function perThousand(weight: bigint): number {
  return Number(weight) / 1000;
}
