import type { Database } from "@/lib/db/types";
import type { EmbeddingModel } from "@/lib/catalog/embedding-models";
import type { ResolvedRoute } from "@/lib/catalog";
import { cycleOf } from "@/lib/core/cycle";
import { describeError } from "@/lib/core/errors";
import { countTokens, planTokens } from "@/lib/metering";
import { release, reserve, type UsageInput } from "@/lib/ledger";
import { createEmbeddings, type EmbeddingsInput, type EmbeddingsResult } from "@/lib/upstream/embeddings";
import { UpstreamError } from "@/lib/upstream";
import { resolveCompletion, usageRequestId } from "./complete";
import type { PipelineHooks, StartFailure } from "./types";

export type EmbedInput = {
  userId: string;
  walletId: string;
  model: EmbeddingModel;
  route: ResolvedRoute;
  /** Texts, or token id arrays. */
  input: string[] | number[][];
  dimensions?: number;
  user?: string;
  requestId: string;
  apiKeyId?: string;
  now: Date;
  holdTtlSeconds: number;
  hooks?: PipelineHooks;
  upstreamHeaders?: Record<string, string>;
  signal?: AbortSignal;
  clock?: () => Date;
  /** The upstream call (lib/upstream createEmbeddings by default). */
  call?: (input: EmbeddingsInput) => Promise<EmbeddingsResult>;
};

export type EmbedSuccess = { ok: true; vectors: number[][]; promptTokens: number; planTokens: bigint; held: bigint; usageId?: string };

/** Input tokens of an embedding request: each text counted with o200k_base, token arrays by length. */
export function embeddingInputTokens(input: string[] | number[][]): number[] {
  return input.map((x) => (typeof x === "string" ? countTokens(x) : x.length));
}

/**
 * An embedding request on the same metered path as a chat completion: the input is counted and
 * held (input tokens × the model's input weight), the provider is called, and the hold settles
 * for the input tokens it reported (else the counted ones), never above the hold; a provider
 * failure releases it, so nothing is charged ("未出结果不收费").
 */
export async function meteredEmbeddings(db: Database, input: EmbedInput): Promise<EmbedSuccess | StartFailure> {
  const counts = embeddingInputTokens(input.input);
  const longest = Math.max(0, ...counts);
  if (longest > input.model.maxInputTokens)
    return { ok: false, code: "context_too_long", details: { promptTokens: longest, context: input.model.maxInputTokens } };
  const promptTokens = counts.reduce((a, b) => a + b, 0);
  const weights = { weightInMicro: input.model.weightInMicro, weightOutMicro: 0n };
  let hold = planTokens({ tokensIn: promptTokens, tokensOut: 0, ...weights });
  if (hold < 1n) hold = 1n;
  const rid = usageRequestId(input.userId, input.requestId);
  const clock = input.clock ?? (() => new Date());
  const usageOf = (tokensIn: number, usageSource: UsageInput["usageSource"], status: UsageInput["status"]): UsageInput => ({
    requestId: rid,
    userId: input.userId,
    modelId: input.model.id,
    providerRoute: input.route.kind === "demo" ? "demo" : input.route.providerId,
    apiKeyId: input.apiKeyId ?? null,
    tokensIn,
    tokensOut: 0,
    weightInMicro: weights.weightInMicro,
    weightOutMicro: 0n,
    usageSource,
    status,
  });

  if (input.hooks?.beforeReserve) {
    const h = await input.hooks.beforeReserve(hold);
    if (!h.ok) return { ok: false, code: h.code, details: { holdAmount: hold.toString() } };
  }
  const afterSettle = async (charged: bigint) => {
    try {
      await input.hooks?.afterSettle?.(charged, hold);
    } catch (e) {
      console.error("[embeddings] afterSettle hook failed", describeError(e));
    }
  };
  let reserved: Awaited<ReturnType<typeof reserve>>;
  try {
    reserved = await reserve(db, {
      walletId: input.walletId,
      userId: input.userId,
      amount: hold,
      idempotencyKey: `req:${rid}`,
      cycle: cycleOf(input.now),
      now: input.now,
      ttlSeconds: input.holdTtlSeconds,
    });
  } catch (e) {
    await afterSettle(0n);
    if ((e as { code?: string }).code === "idempotency_conflict") return { ok: false, code: "duplicate_request" };
    throw e;
  }
  if (!reserved.ok || reserved.replayed) {
    await afterSettle(0n);
    return reserved.ok ? { ok: false, code: "duplicate_request" } : { ok: false, code: reserved.code, details: { holdAmount: hold.toString() } };
  }
  const holdId = reserved.holdId;

  let result: EmbeddingsResult;
  try {
    result = await (input.call ?? createEmbeddings)({
      route: input.route,
      input: input.input,
      ...(input.dimensions === undefined ? {} : { dimensions: input.dimensions }),
      ...(input.user === undefined ? {} : { user: input.user }),
      ...(input.upstreamHeaders ? { headers: input.upstreamHeaders } : {}),
      ...(input.signal ? { signal: input.signal } : {}),
    });
  } catch (err) {
    await release(db, { holdId, usage: usageOf(promptTokens, "none", "error"), now: clock() });
    await afterSettle(0n);
    const code = err instanceof UpstreamError ? err.code : "upstream_error";
    return { ok: false, code: "upstream_error", details: { upstream: code } };
  }
  // The provider's count when it gave one (an explicit zero only from a real provider), else ours.
  const reported = result.promptTokens !== null && (result.promptTokens > 0 || input.route.kind !== "demo") ? result.promptTokens : null;
  const tokensIn = reported ?? promptTokens;
  let charge = planTokens({ tokensIn, tokensOut: 0, ...weights });
  if (charge > hold) charge = hold;
  const resolved = await resolveCompletion(db, {
    holdId,
    planTokens: charge,
    usage: usageOf(tokensIn, reported === null ? "counted" : "provider", "ok"),
    now: clock,
  });
  // A settle that kept failing leaves the hold to the sweeper, which releases it (no progress was recorded).
  const charged = resolved?.charged ?? 0n;
  await afterSettle(charged);
  return {
    ok: true,
    vectors: result.vectors,
    promptTokens: tokensIn,
    planTokens: charged,
    held: hold,
    ...(resolved?.usageId ? { usageId: resolved.usageId } : {}),
  };
}
