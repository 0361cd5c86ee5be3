import type { CatalogOptions, ResolvedRoute } from "@/lib/catalog";
import type { StreamCompletionInput, StreamEvent } from "@/lib/upstream";

/** How a completion calls a model (lib/upstream's streamCompletion by default; tests pass their own). */
export type UpstreamCall = (args: StreamCompletionInput) => AsyncIterable<StreamEvent>;

export type ChatRole = "system" | "user" | "assistant";
export type PipelineMessage = { role: ChatRole; content: string };

export type PipelineConfig = {
  demoMode: boolean;
  /** Base URL of the demo upstream (…/v1). */
  demoBaseUrl: string;
  /** Looks up a provider key / base-URL override by the env name the catalog gives. */
  providerKey: (envName: string) => string | undefined;
  holdTtlSeconds: number;
  /** Extra headers sent upstream (the demo upstream's knobs in tests and benchmarks). */
  upstreamHeaders?: Record<string, string>;
  /** Catalog options (reference price, overrides); app code passes env.REFERENCE_PRICE_USD_PER_M. */
  catalog?: CatalogOptions;
  /** Minimum time between progress notes written while output arrives. */
  progressEveryMs?: number;
  /** How often a stream with no new output proves it is alive (default: a quarter of the hold TTL, at most 10 s). */
  heartbeatMs?: number;
  /** The clock for settle-time reads (balance); defaults to the wall clock. */
  clock?: () => Date;
};

export type PipelineHooks = {
  /** Runs after the hold is sized and before anything is reserved (e.g. an API key's own limit). */
  beforeReserve?(holdAmount: bigint): Promise<{ ok: true } | { ok: false; code: string }>;
  /** Runs after the hold was settled or released. */
  afterSettle?(charged: bigint, held: bigint): Promise<void>;
};

export type StartInput = {
  userId: string;
  walletId: string;
  modelId: string;
  messages: PipelineMessage[];
  maxOutputTokens?: number;
  /** The client's idempotency key: a retried request id never charges twice. */
  requestId: string;
  conversationId?: string;
  apiKeyId?: string;
  now: Date;
  config: PipelineConfig;
  /** Aborting it means the consumer went away: only delivered text is charged. */
  signal?: AbortSignal;
  hooks?: PipelineHooks;
  /** Read the paying wallet's balance after settling (chat shows it; API calls skip the query). Default true. */
  reportBalance?: boolean;
};

export type StartFailureCode =
  | "unknown_model"
  | "model_unavailable"
  | "context_too_long"
  | "insufficient_balance"
  | "cap_reached"
  | "member_paused"
  | "not_member"
  | "duplicate_request";

export type StartFailure = { ok: false; code: StartFailureCode | (string & {}); details?: Record<string, unknown> };

export type CompletionStatus = "ok" | "interrupted" | "aborted" | "error";

export type CompletionOutcome = {
  status: CompletionStatus;
  tokensIn: number;
  tokensOut: number;
  /** Plan tokens charged (0 when released). */
  planTokens: bigint;
  usageId?: string;
  /** Upstream error code when status is "error" or "interrupted". */
  errorCode?: string;
  /** The paying wallet after settling. */
  balance?: { available: bigint; held: bigint };
  usageSource: "provider" | "counted" | "none";
  /** Plan tokens that were set aside for the request. */
  held: bigint;
};

export type TextEvent = { type: "text"; text: string };

export type StartSuccess = {
  ok: true;
  holdId: string;
  model: { id: string; name: string; weights: { inMicro: bigint; outMicro: bigint } };
  route: Pick<ResolvedRoute, "kind" | "providerId" | "providerModelId">;
  promptTokens: number;
  maxOutputTokens: number;
  holdAmount: bigint;
  events: AsyncIterable<TextEvent>;
  /** Stops the stream because the caller failed after starting it; it settles at once (nothing charged if nothing was delivered). */
  cancel: () => void;
  /** Resolves once the provider accepted the call (its response headers came) or the call ended. */
  opened: Promise<void>;
  timing: StartTiming;
  done: Promise<CompletionOutcome>;
};

/** performance.now() marks of a started completion, for overhead reporting. */
export type StartTiming = {
  /** When the upstream call was made (null until then). */
  upstreamAt: number | null;
  /** When the first text came from the provider (null until then). */
  firstTextAt: number | null;
  /** When the hold was in the database. */
  reservedAt: number;
};

export type StartResult = StartFailure | StartSuccess;
