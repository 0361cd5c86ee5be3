import { chargeForStream, estimateHold } from "@/lib/metering";

export type ProviderUsage = { tokensIn: number; tokensOut: number };

export type ChargeInput = {
  /** The upstream accepted the request (its response headers arrived with success). */
  accepted: boolean;
  /** The upstream refused or failed on its own (not because we stopped it) before any output. */
  failedBeforeOutput: boolean;
  /** Our count of the prompt (used when the provider reports nothing). */
  promptTokens: number;
  /** Text and reasoning the upstream produced, delivered to the client or not. */
  producedText: string;
  /** Its token count as the progress notes counted it (so the charge never falls below a note). */
  producedTokens?: number;
  /** What the provider reported: null when it never did. */
  providerUsage: ProviderUsage | null;
  /** An explicit zero report is believed only from a real provider (not the demo upstream). */
  trustZero: boolean;
  weights: { inMicro: bigint; outMicro: bigint };
  /** The hold: a charge never exceeds it. */
  holdAmount: bigint;
};

export type Charge = { tokensIn: number; tokensOut: number; planTokens: bigint; usageSource: "provider" | "counted" | "none" };

/** What a finished stream costs: lib/metering's chargeForStream, fed from the pipeline's record of the stream. */
export function computeCharge(input: ChargeInput): Charge {
  return chargeForStream({
    accepted: input.accepted,
    failedBeforeOutput: input.failedBeforeOutput,
    reportedUsage: input.providerUsage,
    trustZero: input.trustZero,
    producedText: input.producedText,
    producedTokens: input.producedTokens,
    promptTokens: input.promptTokens,
    hold: input.holdAmount,
    weights: { weightInMicro: input.weights.inMicro, weightOutMicro: input.weights.outMicro },
  });
}

/** The hold for a request: the prompt at the input weight plus the most it may write at the output weight. */
export function holdFor({ promptTokens, maxOutputTokens, weights }: { promptTokens: number; maxOutputTokens: number; weights: { inMicro: bigint; outMicro: bigint } }): bigint {
  return estimateHold({ promptTokens, maxOutputTokens, weightInMicro: weights.inMicro, weightOutMicro: weights.outMicro });
}
