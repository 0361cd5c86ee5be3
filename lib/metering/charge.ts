import { countTokens } from "./tokens";
import { planTokens, type Weights } from "./weights";

export type StreamCharge = {
  tokensIn: number;
  tokensOut: number;
  /** What the hold settles for: ≤ hold, > 0 exactly when tokens were delivered. */
  planTokens: bigint;
  usageSource: "provider" | "counted" | "none";
};

/**
 * What to charge when a stream ends, however it ended (CONVENTIONS §3):
 * - the provider's usage when it reported one, an explicit zero included (never recounted);
 * - otherwise the prompt tokens plus the delivered text counted with the tokenizer;
 * - nothing delivered → charge 0 (release); something delivered → at least 1 plan token;
 * - never more than the hold.
 */
export function chargeForStream({
  reportedUsage,
  deliveredText,
  promptTokens,
  hold,
  weights,
}: {
  reportedUsage?: { tokensIn: number; tokensOut: number } | null;
  deliveredText: string;
  promptTokens: number;
  hold: bigint;
  weights: Weights;
}): StreamCharge {
  const delivered = deliveredText.length > 0;
  let tokensIn: number;
  let tokensOut: number;
  let usageSource: StreamCharge["usageSource"];
  if (reportedUsage) {
    tokensIn = reportedUsage.tokensIn;
    tokensOut = reportedUsage.tokensOut;
    usageSource = "provider";
  } else {
    tokensIn = promptTokens;
    tokensOut = delivered ? countTokens(deliveredText) : 0;
    usageSource = delivered ? "counted" : "none";
  }
  if (!delivered && tokensOut === 0) return { tokensIn, tokensOut, planTokens: 0n, usageSource };
  let charge = planTokens({ tokensIn, tokensOut, ...weights });
  if (delivered && charge === 0n) charge = 1n;
  if (charge > hold) charge = hold;
  return { tokensIn, tokensOut, planTokens: charge, usageSource };
}
