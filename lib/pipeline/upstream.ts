import type { ResolvedRoute } from "@/lib/catalog";
import { streamCompletion } from "@/lib/upstream";
import type { PipelineMessage } from "./types";

/** What the pipeline reads from a model: text deltas, the usage report, a failure. */
export type UpstreamEvent =
  | { type: "text"; text: string }
  /** Numbers the provider reported; null where it reported nothing (then we count). */
  | { type: "usage"; tokensIn: number | null; tokensOut: number | null }
  | { type: "error"; code: string; message?: string };

export type UpstreamCall = (args: {
  route: ResolvedRoute;
  messages: PipelineMessage[];
  maxOutputTokens: number;
  signal: AbortSignal;
  headers?: Record<string, string>;
  /** Called once the provider has accepted the call (before its first token). */
  onOpen?: () => void;
}) => AsyncIterable<UpstreamEvent>;

/** lib/upstream's streamCompletion, narrowed to what metering needs (reasoning is not forwarded). */
export const defaultUpstream: UpstreamCall = async function* (args) {
  for await (const ev of streamCompletion(args)) {
    if (ev.type === "text") yield ev;
    else if (ev.type === "usage") yield { type: "usage", tokensIn: ev.tokensIn, tokensOut: ev.tokensOut };
    else if (ev.type === "error") yield { type: "error", code: ev.error.code, message: ev.error.message };
  }
};
