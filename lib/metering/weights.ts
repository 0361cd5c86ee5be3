/** Weights are fixed-point: plan tokens per model token × 1,000,000. */
export const MICRO = 1_000_000n;

export type Weights = { weightInMicro: bigint; weightOutMicro: bigint };

/** Used when the catalog has no entry for a model: one plan token per input token, four per output. */
export const FALLBACK_WEIGHTS: Weights = { weightInMicro: 1_000_000n, weightOutMicro: 4_000_000n };

/** A small built-in table; lib/catalog supplies the real, priced weights. */
export const DEFAULT_WEIGHTS: Readonly<Record<string, Weights>> = {
  "demo/echo": { weightInMicro: 1_000_000n, weightOutMicro: 1_000_000n },
  "openai/gpt-4o-mini": { weightInMicro: 150_000n, weightOutMicro: 600_000n },
  "openai/gpt-4o": { weightInMicro: 2_500_000n, weightOutMicro: 10_000_000n },
  "deepseek/deepseek-chat": { weightInMicro: 270_000n, weightOutMicro: 1_100_000n },
};

/** Weights for a model from the built-in table, else the fallback. */
export function defaultWeightsFor(modelId: string): Weights {
  return DEFAULT_WEIGHTS[modelId] ?? FALLBACK_WEIGHTS;
}

function toBig(n: number | bigint, what: string): bigint {
  if (typeof n === "bigint") {
    if (n < 0n) throw new RangeError(`${what} must not be negative`);
    return n;
  }
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${what} must be a non-negative integer`);
  return BigInt(n);
}

/** Plan tokens for a call: ceil((in × wIn + out × wOut) / 1e6), exact in bigint. */
export function planTokens({
  tokensIn,
  tokensOut,
  weightInMicro,
  weightOutMicro,
}: { tokensIn: number | bigint; tokensOut: number | bigint } & Weights): bigint {
  const micro = toBig(tokensIn, "tokensIn") * toBig(weightInMicro, "weightInMicro") + toBig(tokensOut, "tokensOut") * toBig(weightOutMicro, "weightOutMicro");
  return (micro + MICRO - 1n) / MICRO;
}

/** The hold for a request before it runs: the prompt plus the most it may output, at least 1. */
export function estimateHold({
  promptTokens,
  maxOutputTokens,
  weightInMicro,
  weightOutMicro,
}: { promptTokens: number; maxOutputTokens: number } & Weights): bigint {
  const t = planTokens({ tokensIn: promptTokens, tokensOut: maxOutputTokens, weightInMicro, weightOutMicro });
  return t > 0n ? t : 1n;
}

/** The hold for a request priced with a catalog model's weights (`{ inMicro, outMicro }`). */
export function holdFor({
  promptTokens,
  maxOutputTokens,
  weights,
}: {
  promptTokens: number;
  maxOutputTokens: number;
  weights: { inMicro: bigint; outMicro: bigint };
}): bigint {
  return estimateHold({ promptTokens, maxOutputTokens, weightInMicro: weights.inMicro, weightOutMicro: weights.outMicro });
}
