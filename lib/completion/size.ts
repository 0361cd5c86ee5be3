import { chatTokensUpperBound, countChatTokens, countDefinitionTokens, countTokens, holdFor, TokenCountCache, type TextCounter } from "@/lib/metering";
import type { PipelineMessage } from "./types";

/**
 * The process's remembered prompt counts: clients resend a conversation's history, an agent its
 * tool definitions and system prompt, with every request; each long text is counted once per user.
 */
export const processPromptCounts = new TokenCountCache();

/** Replies are capped at this many tokens unless the caller asks for another limit. */
export const DEFAULT_MAX_OUTPUT_TOKENS = 8192;

export type HoldSize = {
  promptTokens: number;
  maxOutputTokens: number;
  /** prompt × input weight + max output × output weight (0 until counted when countLater). */
  holdAmount: bigint;
  /** The prompt is counted once the upstream call is on its way (see sizeHold). */
  countLater: boolean;
};

type Sizable = { limits: { context: number; output: number }; weights: { inMicro: bigint; outMicro: bigint } };

/** What else sizes a hold beside the model and the messages. */
export type SizeOptions = {
  /** The reply limit asked for (capped by the model's output limit and what the context leaves). */
  asked?: number | undefined;
  /** Tool definitions and a reply schema as text (lib/metering definitionsText): counted as prompt. */
  definitions?: string;
  /** How a text is counted (a TokenCountCache's counter for the payer's user spares recounting). */
  count?: TextCounter;
};

/**
 * Sizes a request's hold. When even the prompt's byte count leaves room for the reply limit, the
 * prompt cannot be too long and the limit sent upstream does not depend on its exact count: then
 * the prompt is counted later (countPrompt), while the upstream call is on its way — the hold
 * needs the count, the call does not.
 */
export function sizeHold(
  model: Sizable,
  messages: PipelineMessage[],
  { asked = DEFAULT_MAX_OUTPUT_TOKENS, definitions = "", count = countTokens }: SizeOptions = {},
): HoldSize | { tooLong: { promptTokens: number; context: number } } {
  const context = model.limits.context > 0 ? model.limits.context : Number.MAX_SAFE_INTEGER;
  const outLimit = model.limits.output > 0 ? model.limits.output : DEFAULT_MAX_OUTPUT_TOKENS;
  const bound = chatTokensUpperBound(messages) + (definitions ? 3 + Buffer.byteLength(definitions) : 0);
  const countLater = bound < context && Math.min(asked, outLimit) <= context - bound;
  const promptTokens = countLater ? 0 : countChatTokens(messages, count) + countDefinitionTokens(definitions, count);
  if (promptTokens >= context) return { tooLong: { promptTokens, context } };
  const maxOutputTokens = Math.max(1, Math.min(asked, outLimit, context - promptTokens));
  return { promptTokens, maxOutputTokens, holdAmount: countLater ? 0n : holdFor({ promptTokens, maxOutputTokens, weights: model.weights }), countLater };
}

/** Completes a size whose prompt was left to count later. */
export function countPrompt(
  size: HoldSize,
  model: Sizable,
  messages: PipelineMessage[],
  { definitions = "", count = countTokens }: Omit<SizeOptions, "asked"> = {},
): HoldSize {
  if (!size.countLater) return size;
  const promptTokens = countChatTokens(messages, count) + countDefinitionTokens(definitions, count);
  return { ...size, promptTokens, holdAmount: holdFor({ promptTokens, maxOutputTokens: size.maxOutputTokens, weights: model.weights }), countLater: false };
}
