import { countTokens } from "./tokens";
import { planTokens, type Weights } from "./weights";

export type StreamCharge = {
  tokensIn: number;
  tokensOut: number;
  /** What the hold settles for: ≤ hold; > 0 once the upstream accepted the request (unless a trusted provider reports zero). */
  planTokens: bigint;
  usageSource: "provider" | "counted" | "none";
};

/**
 * What to charge when a stream ends, however it ended — the charge follows what the operator
 * pays its provider (lib/ledger/README.md):
 * - nothing when the upstream never accepted the request, or refused / failed before producing
 *   any output ("未出结果不收费");
 * - once it accepted, the prompt, even if the client left before the first token;
 * - output and reasoning as produced: the provider's usage when it reported one (an explicit
 *   zero only from a trusted, real provider — never from a client-set knob), otherwise the
 *   prompt plus the produced text and reasoning counted with the tokenizer;
 * - produced output costs at least 1 plan token; never more than the hold.
 */
export function chargeForStream({
  accepted,
  failedBeforeOutput = false,
  reportedUsage,
  trustZero = true,
  producedText,
  producedTokens,
  promptTokens,
  hold,
  weights,
}: {
  /** The upstream accepted the request (its response headers arrived with success). */
  accepted: boolean;
  /** The upstream failed (not our abort) without producing any output. */
  failedBeforeOutput?: boolean;
  reportedUsage?: { tokensIn: number; tokensOut: number } | null;
  /** Whether an explicit all-zero report is believed (false for the demo upstream). */
  trustZero?: boolean;
  /** Text and reasoning the upstream produced (delivered to the client or not). */
  producedText: string;
  /** The produced text's token count when the caller already counted it (as its progress notes did). */
  producedTokens?: number;
  promptTokens: number;
  hold: bigint;
  weights: Weights;
}): StreamCharge {
  const produced = producedText.length > 0;
  if (!accepted || (failedBeforeOutput && !produced)) return { tokensIn: promptTokens, tokensOut: 0, planTokens: 0n, usageSource: "none" };
  let reported = reportedUsage ?? null;
  if (reported && !trustZero && reported.tokensIn === 0 && reported.tokensOut === 0) reported = null;
  let tokensIn: number;
  let tokensOut: number;
  let usageSource: StreamCharge["usageSource"];
  if (reported) {
    tokensIn = reported.tokensIn;
    tokensOut = reported.tokensOut;
    usageSource = "provider";
  } else {
    tokensIn = promptTokens;
    tokensOut = produced ? (producedTokens ?? countTokens(producedText)) : 0;
    usageSource = "counted";
  }
  let charge = planTokens({ tokensIn, tokensOut, ...weights });
  if (produced && charge === 0n) charge = 1n;
  if (charge > hold) charge = hold;
  return { tokensIn, tokensOut, planTokens: charge, usageSource };
}
