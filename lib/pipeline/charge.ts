import { chargeForStream, estimateHold } from "@/lib/metering";

export type ProviderUsage = { tokensIn: number; tokensOut: number };

export type ChargeInput = {
  /** Our count of the prompt (used when the provider reports nothing). */
  promptTokens: number;
  /** The text handed to the consumer. */
  deliveredText: string;
  /** Characters received from upstream in total (≥ delivered: more arrives after an abort). */
  receivedChars: number;
  /** What the provider reported: null when it never did; an explicit zero is honoured. */
  providerUsage: ProviderUsage | null;
  weights: { inMicro: bigint; outMicro: bigint };
  /** The hold: a charge never exceeds it. */
  holdAmount: bigint;
};

export type Charge = { tokensIn: number; tokensOut: number; planTokens: bigint; usageSource: "provider" | "counted" | "none" };

/**
 * What a finished stream costs (lib/metering's chargeForStream decides: provider usage when
 * reported, explicit zero included; else the delivered text counted; > 0 exactly when text was
 * delivered; ≤ the hold). Two pipeline rules on top: nothing delivered → nothing charged, even
 * if the provider reports output; and when the consumer left early, only the delivered share of
 * the provider's output count is charged.
 */
export function computeCharge(input: ChargeInput): Charge {
  const deliveredChars = input.deliveredText.length;
  if (deliveredChars === 0) {
    return { tokensIn: input.providerUsage?.tokensIn ?? input.promptTokens, tokensOut: 0, planTokens: 0n, usageSource: "none" };
  }
  let reported = input.providerUsage;
  const received = Math.max(input.receivedChars, deliveredChars);
  if (reported && received > deliveredChars && reported.tokensOut > 0) {
    // Integer ceil(out × delivered / received): the undelivered tail is not charged.
    const out = (BigInt(reported.tokensOut) * BigInt(deliveredChars) + BigInt(received) - 1n) / BigInt(received);
    reported = { tokensIn: reported.tokensIn, tokensOut: Number(out) };
  }
  return chargeForStream({
    reportedUsage: reported,
    deliveredText: input.deliveredText,
    promptTokens: input.promptTokens,
    hold: input.holdAmount,
    weights: { weightInMicro: input.weights.inMicro, weightOutMicro: input.weights.outMicro },
  });
}

/** The hold for a request: the prompt at the input weight plus the most it may write at the output weight. */
export function holdFor({ promptTokens, maxOutputTokens, weights }: { promptTokens: number; maxOutputTokens: number; weights: { inMicro: bigint; outMicro: bigint } }): bigint {
  return estimateHold({ promptTokens, maxOutputTokens, weightInMicro: weights.inMicro, weightOutMicro: weights.outMicro });
}
