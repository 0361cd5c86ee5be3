import type { TokenCountCache } from "@/lib/metering";
import type { Database } from "@/lib/db/types";
import type { CatalogOptions, ResolvedRoute } from "@/lib/catalog";
import type { RouteAttempt, RouteHealth, RouteNarrowing, RouteSort } from "@/lib/routing";
import type { CompletionMessage, PushCall, ToolCallDelta } from "@/lib/upstream";
import type { RateCount, RateCounted } from "@/lib/ledger";

/** How a completion calls a model (lib/upstream's pushCompletion by default; tests may pass their own). */
export type UpstreamCall = PushCall;

export type ChatRole = CompletionMessage["role"];
/** A message: its text in `content`; images, tool calls and tool results as lib/upstream carries them. */
export type PipelineMessage = CompletionMessage;

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
  /** Route ordering and failover (lib/routing). */
  routing?: RoutingConfig;
  /**
   * 放心用: asked once when the paying wallet has too little for the hold; true when it bought more
   * (the payer's automatic pack), and the reserve is tried once more.
   */
  safetyNet?: SafetyNetHook;
  /**
   * 放心用 "economy": asked before a request starts; the payer's economical model when the spender
   * was switched to it for the rest of the cycle, else null (lib/plans/safety-net.ts states the rule).
   */
  economyModel?: EconomyModelHook;
  /** Family controls, checked in the reserve path so no client can talk around them. */
  memberGate?: MemberGate;
  /** Remembered prompt counts (default: one per process, size.ts processPromptCounts). */
  promptCounts?: TokenCountCache;
};

export type EconomyModelHook = (
  db: Database,
  p: { walletId: string; userId: string; modelId: string; weights: { inMicro: bigint; outMicro: bigint }; now: Date },
) => string | null | Promise<string | null>;

/**
 * A family member's controls (quiet hours, allowed models, daily cap), checked before the hold;
 * `settle` is told what the request finally charged (0 when it was refused or released).
 */
export type MemberGate = (
  db: Database,
  p: { walletId: string; userId: string; modelId: string; weights: { inMicro: bigint; outMicro: bigint }; amount: bigint; now: Date },
) => Promise<{ ok: true; settle(charged: bigint): Promise<void> } | { ok: false; code: string; details?: Record<string, unknown> }>;

/**
 * true: it bought more, reserve once more; `{ switchTo }`: serve the request on that (economical)
 * model instead; false: refuse.
 */
export type SafetyNetHook = (
  db: Database,
  p: { walletId: string; userId: string; now: Date; modelId: string; weights: { inMicro: bigint; outMicro: bigint } },
) => Promise<boolean | { switchTo: string }>;

export type RoutingConfig = {
  /** Route health (default: the process's). */
  health?: RouteHealth;
  /** How routes are ordered when nothing narrower says (default "price": cheapest first). */
  defaultSort?: RouteSort;
  /** A route with another one after it gets this long to produce its first output (default 10 s). */
  attemptTimeoutMs?: number;
  /** No route is tried after this long from the first call (default 30 s). */
  deadlineMs?: number;
  /** The paying wallet's own narrowing (a family owner's, lib/routing/family.ts): the weakest layer. */
  walletLayer?: (db: Database, walletId: string) => Promise<RouteNarrowing | null>;
};

export type PipelineHooks = {
  /** Runs after the hold is sized and before anything is reserved (e.g. an API key's own limit). */
  beforeReserve?(holdAmount: bigint): Promise<{ ok: true } | { ok: false; code: string }>;
  /** Runs after the hold was settled or released. */
  afterSettle?(charged: bigint, held: bigint): Promise<void>;
  /**
   * A shared rate count to be made by the hold's own database call (lib/ledger reserve's `rate`),
   * asked once, right before the first reserve; null when there is none (or it was made
   * otherwise). `counted` gets the window's answer, or null when the call failed. Over the
   * limit nothing is held and the request fails with `rate_limit_exceeded`.
   */
  rateCount?(): { count: RateCount; counted(r: RateCounted | null): void } | null;
};

export type StartInput = {
  userId: string;
  walletId: string;
  /** The paying wallet's kind when the caller knows it: a personal wallet has no family controls, so neither the gate nor the family's route narrowing is asked. */
  walletKind?: "personal" | "family";
  modelId: string;
  messages: PipelineMessage[];
  maxOutputTokens?: number;
  /**
   * OpenAI request fields sent upstream as they are (tools, tool_choice, response_format, stop,
   * seed, sampling, user), checked by the caller against the model; tools and a JSON schema are
   * counted in the prompt.
   */
  params?: Record<string, unknown>;
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
  /** Route narrowing, strongest first: the request's `provider` object, the key's setting, the family owner's. */
  routing?: (RouteNarrowing | null | undefined)[];
  /** Set by the pipeline itself when 放心用 served the request on an economical model: the model asked for. */
  switchedFrom?: string;
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
  /** The provider that served (or last failed): "demo" for the demo upstream. */
  providerRoute: string;
  /** Every route tried, in order. */
  routeAttempts: RouteAttempt[];
  /** The provider's finish reason ("stop", "length", "tool_calls", …) when the stream finished. */
  finishReason?: string;
  /** The provider's own words when it failed (e.g. which parameter it refused). */
  errorMessage?: string;
};

/** A piece of the reply: text, and the tool-call pieces that came with it (none in chat). */
export type TextEvent = { type: "text"; text: string; toolCalls?: ToolCallDelta[] };

/** A consumer that takes the reply's deltas as they come (StartSuccess.follow, DeltaQueue.follow). */
export type DeltaTaker = {
  /** One delta (or several joined); false when it can take no more until `more()` is called. */
  take(ev: TextEvent): boolean;
  /** Everything was taken and the stream ended. */
  end(): void;
};

export type StartSuccess = {
  ok: true;
  holdId: string;
  /** The model that serves (after a 放心用 switch, the economical one). */
  model: { id: string; name: string; weights: { inMicro: bigint; outMicro: bigint } };
  /** When 放心用 switched the request to the payer's economical model: the model that was asked for. */
  switchedFrom?: string;
  /** The route being called (the one that served, once output came). */
  readonly route: Pick<ResolvedRoute, "kind" | "providerId" | "providerModelId">;
  promptTokens: number;
  maxOutputTokens: number;
  holdAmount: bigint;
  events: AsyncIterable<TextEvent>;
  /**
   * The same deltas handed to `taker` as each is pushed, synchronously (instead of `events`: one
   * or the other). What came before, or while the taker could take no more, goes as one delta
   * when `more()` is called.
   */
  follow: (taker: DeltaTaker) => { more(): void };
  /** Stops the stream because the caller failed after starting it; it settles at once (nothing charged if nothing was delivered). */
  cancel: () => void;
  /** The consumer left (as when `signal` aborts): the provider is stopped and what it produced until then is charged. */
  abandon: () => void;
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
  /** When the provider accepted the call (or it ended); the hold is written from then. */
  acceptedAt?: number;
  /** When the caller's hook (an API key's rate decision and cap) and the family gate had answered. */
  gatedAt?: number;
  /** When the hold was in the database. */
  reservedAt: number;
};

export type StartResult = StartFailure | StartSuccess;
