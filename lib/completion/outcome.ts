import { chargeForStream, type StreamCharge } from "@/lib/metering";
import type { CompletionStatus } from "./types";

/** What a finished stream did, as the pump recorded it. */
export type StreamRecord = {
  /** The upstream accepted the request (its response headers arrived with success). */
  opened: boolean;
  /** Text and reasoning the upstream produced, delivered or not. */
  producedText: string;
  /** Tokens of it as the progress notes last counted (the charge never falls below a note). */
  countedOut: number;
  deliveredChars: number;
  reported: { tokensIn: number | null; tokensOut: number | null } | null;
  upstreamError: { code: string; message?: string } | null;
  /** We aborted the upstream call ourselves (client gone, stop, cancel). */
  abortedByUs: boolean;
  consumerGone: boolean;
  /** The wallet asked the stream to stop (its member was removed). */
  stopRequested: boolean;
  /** Our own side failed after starting. */
  cancelledByServer: boolean;
};

export type CompletionVerdict = { status: CompletionStatus; errorCode?: string; charge: StreamCharge };

/**
 * How a stream ended and what it costs (the rules are lib/ledger/README.md's "What is charged"):
 * our own failure before anything was delivered costs nothing; an upstream failure before any
 * output costs nothing; otherwise the prompt once accepted, and the output as produced.
 */
export function completionVerdict(
  r: StreamRecord,
  {
    promptTokens,
    weights,
    holdAmount,
    trustZero,
  }: { promptTokens: number; weights: { inMicro: bigint; outMicro: bigint }; holdAmount: bigint; trustZero: boolean },
): CompletionVerdict {
  const produced = r.producedText.length > 0;
  const err = r.upstreamError;
  const status: CompletionStatus = r.cancelledByServer
    ? "error"
    : r.consumerGone
      ? "aborted"
      : r.stopRequested
        ? "interrupted"
        : err
          ? r.deliveredChars > 0 || produced
            ? "interrupted"
            : "error"
          : "ok";
  const rep = r.reported;
  const producedTokens = Math.max(r.countedOut, 0);
  const providerUsage =
    rep && (rep.tokensIn !== null || rep.tokensOut !== null) ? { tokensIn: rep.tokensIn ?? promptTokens, tokensOut: rep.tokensOut ?? producedTokens } : null;
  const charge = chargeForStream({
    accepted: r.opened && !(r.cancelledByServer && r.deliveredChars === 0),
    failedBeforeOutput: err !== null && !r.abortedByUs && !produced,
    reportedUsage: providerUsage,
    trustZero,
    producedText: r.producedText,
    producedTokens,
    promptTokens,
    hold: holdAmount,
    weights: { weightInMicro: weights.inMicro, weightOutMicro: weights.outMicro },
  });
  const errorCode = r.cancelledByServer ? "internal" : r.stopRequested ? "member_removed" : err && status !== "aborted" ? err.code : undefined;
  return errorCode ? { status, errorCode, charge } : { status, charge };
}
