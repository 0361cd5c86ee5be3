import type { Database } from "@/lib/db/types";
import type { CompletionOutcome, PipelineConfig, StartInput, StartResult, StartSuccess, TextEvent } from "@/lib/completion/types";
import { getCatalog, getModel, imageUrlTokens, listedModels, resolveRoute, type RouteOptions } from "@/lib/catalog";
import { cycleOf } from "@/lib/core/cycle";
import { currentDate, nowMs, uuid } from "@/lib/core/clock";
import { KeyVerifier, defaultKeyVerifier, type KeyAuth } from "@/lib/apikeys/verify";
import { KeySpendHold } from "@/lib/apikeys/spend";
import { RateAdmission, RateLimiter, formatReset, type DeferredCount, type RateDecision, type RequestRateLimiter } from "@/lib/apikeys/rate-limit";
import { RefreshAheadCache } from "@/lib/core/refresh-ahead";
import { errorFor, midStreamErrorEvent, openAiError, type OpenAiErrorSpec } from "./errors";
import { anthropicError, anthropicJson, anthropicStream, messageId, messagesRequest, toChatRequest, unsupportedMessagesParam } from "./anthropic";
import { BodyError, type GatewayReply, type GatewayRequest, type ReplyStream } from "./http";
import { pipeDeltas } from "./reply";
import {
  chatCompletionRequest,
  describeIssue,
  toPipelineMessages,
  unsupportedForModel,
  unsupportedParam,
  upstreamParams,
  type ChatCompletionRequest,
} from "./request";
import { checkCommonChatRequest } from "./request-check";
import type { ToolCallDelta } from "@/lib/upstream";
import { embeddingInputTokens, meteredEmbeddings } from "@/lib/completion/embed";
import { embeddingModels, resolveEmbeddingRoute } from "@/lib/catalog/embedding-models";
import { embeddingsBody, embeddingsRequest, inputList, MAX_EMBEDDING_REQUEST_TOKENS } from "./embeddings";
import { describeError } from "@/lib/core/errors";
import { countChatTokens, countDefinitionTokens, definitionsText } from "@/lib/metering";
import { fromProviderPreferences, providerPreferences } from "@/lib/routing";

export const OVERHEAD_HEADER = "x-unitoken-overhead-ms";

/** Marks of a request's phases before the upstream call, sent as Server-Timing (ms, two decimals). */
type Phases = { [name: string]: number };
function serverTiming(p: Phases): string {
  return Object.entries(p)
    .map(([k, v]) => `${k};dur=${v.toFixed(2)}`)
    .join(", ");
}

export type GatewayOptions = {
  db: () => Database | Promise<Database>;
  /** The metered pipeline (lib/pipeline startMeteredCompletion). */
  start: (db: Database, input: StartInput) => Promise<StartResult>;
  /** Which wallet a user's keys spend (lib/ledger resolvePayingWallet). */
  payingWallet: (db: Database, p: { userId: string }) => Promise<{ walletId: string; kind?: "personal" | "family" }>;
  /** The same for many users at once (lib/ledger resolvePayingWallets): the cache's background re-reads of one turn, in one call. */
  payingWallets?: (db: Database, p: { userIds: string[] }) => Promise<Map<string, { walletId: string; kind?: "personal" | "family" }>>;
  /** Pipeline config; demoBaseUrl may depend on the request (the server's own address). */
  config: Omit<PipelineConfig, "demoBaseUrl" | "upstreamHeaders"> & { demoBaseUrl: string | ((req: GatewayRequest) => string) };
  /** Route options the model list checks callability against (the composition root's); else the config's. */
  routeOptions?: RouteOptions;
  /** Runs after each settle, after the key's own spend is settled (the app's allowance alerts). */
  afterSettle?: (db: Database, p: { walletId: string; walletKind?: "personal" | "family" }) => (charged: bigint, held: bigint) => Promise<void>;
  rateLimit: { limit: number; windowMs: number };
  /** The per-key limiter (shared by every instance in PostgreSQL or Redis); default: in-process, from `rateLimit`. */
  limiter?: RequestRateLimiter;
  verifier?: KeyVerifier;
  /** How long a user's paying wallet is remembered (the ledger still checks membership). */
  walletCacheMs?: number;
  clock?: () => Date;
  /** Picks the demo upstream's knobs a client may set from its headers (demo mode only; never usage knobs): the composition root's. */
  forwardDemoHeaders?: (header: (name: string) => string | undefined) => Record<string, string> | undefined;
  /** Headers of the app's own calls to the demo upstream (its x-demo-secret), over the client's. */
  demoUpstreamHeaders?: () => Record<string, string>;
  /** The metered embeddings call (lib/completion meteredEmbeddings). */
  embed?: typeof meteredEmbeddings;
};

const SSE_HEADERS: Record<string, string> = {
  "content-type": "text/event-stream; charset=utf-8",
  // no-transform keeps compression from buffering the stream.
  "cache-control": "no-cache, no-transform",
  "x-accel-buffering": "no",
};

function ms(n: number): string {
  return n.toFixed(2);
}

function bearer(req: GatewayRequest): string | null {
  const h = req.header("authorization");
  if (h) {
    const m = /^Bearer\s+(.+)$/i.exec(h.trim());
    return m ? m[1]!.trim() : null;
  }
  return req.header("x-api-key") ?? null;
}

/** The client's demo knobs (pacing and failures only) and the app's own demo upstream headers. */
function demoHeaders(req: GatewayRequest, opts: GatewayOptions): Record<string, string> | undefined {
  const own = opts.demoUpstreamHeaders?.();
  const client = opts.forwardDemoHeaders?.((name) => req.header(name));
  // The app's own headers alone need no copy (nothing downstream writes to them).
  return client ? { ...client, ...own } : own;
}

/**
 * The OpenAI-compatible API over the metered pipeline: authenticates the key (cached), applies
 * the per-key rate limit, model allowlist and monthly cap (through the pipeline's hooks, so the
 * cap is one atomic statement beside the wallet's hold), and streams the pipeline's text out as
 * OpenAI SSE chunks without buffering.
 */
export function createGateway(opts: GatewayOptions) {
  const verifier = opts.verifier ?? defaultKeyVerifier;
  const limiter: RequestRateLimiter = opts.limiter ?? new RateLimiter(opts.rateLimit);
  const clock = opts.clock ?? currentDate;
  const wallets = new RefreshAheadCache<{ walletId: string; kind?: "personal" | "family" }>({ ttlMs: opts.walletCacheMs ?? 5_000, maxEntries: 50_000 });
  // A wallet's kind never changes: remembered beside its id, it spares a personal wallet the family gate's query.
  const payer = (w: { walletId: string; kind?: "personal" | "family" }) => ({ walletId: w.walletId, ...(w.kind ? { kind: w.kind } : {}) });
  const payersOf = opts.payingWallets;
  const payerLoaders = (db: Database, userId: string) =>
    [
      async () => payer(await opts.payingWallet(db, { userId })),
      payersOf && (async (userIds: string[]) => new Map([...(await payersOf(db, { userIds }))].map(([u, w]) => [u, payer(w)]))),
    ] as const;
  const payerOf = (db: Database, userId: string) => wallets.get(userId, ...payerLoaders(db, userId));
  /** Who pays, when it is cached and fresh: without waiting a turn. */
  const payerCached = (db: Database, userId: string) => wallets.peek(userId, ...payerLoaders(db, userId))?.value;
  const walletFor = async (db: Database, userId: string): Promise<string> => (await payerOf(db, userId)).walletId;

  // A shared limiter answers over the network: a chat request of a key with room may start its
  // upstream call while the answer is on its way (RateAdmission says when); in-process, it is free.
  const admission = opts.limiter ? new RateAdmission(limiter) : null;

  type Authed = {
    db: Database;
    key: KeyAuth;
    /** The request's time, read once (under Next, every `new Date()` asks its request stores). */
    now: Date;
    headers: Record<string, string>;
    phases: Phases;
    /** The rate decision still on its way (a chat request that goes early); it must be awaited before any output or hold. */
    rate?: Promise<RateDecision>;
    /** Or the count not made yet (a chat request that goes early on a key without a cap): the hold's call makes it, else `take`. */
    deferred?: DeferredCount;
  };

  function rateHeaders(headers: Record<string, string>, rl: RateDecision): void {
    headers["x-ratelimit-limit-requests"] = String(rl.limit);
    headers["x-ratelimit-remaining-requests"] = String(rl.remaining);
    headers["x-ratelimit-reset-requests"] = formatReset(rl.resetMs);
    if (!rl.ok) {
      headers["retry-after"] = String(Math.max(1, Math.ceil(rl.retryAfterMs / 1000)));
      headers["retry-after-ms"] = String(rl.retryAfterMs);
    }
  }

  /** Authentication and rate limit; a reply (in the dialect's error shape) when the request stops here. */
  async function authenticate(req: GatewayRequest, t0: number, shape: ErrorShape = openAiError, mayGoEarly = false): Promise<Authed | GatewayReply> {
    const text = bearer(req);
    const fail = (code: string, headers: Record<string, string> = {}) => {
      headers[OVERHEAD_HEADER] = ms(performance.now() - t0);
      return shape(errorFor(code), headers);
    };
    if (!text) return fail("missing_api_key");
    // A cached key and an open database answer without waiting a turn.
    const handle = opts.db();
    const db = handle instanceof Promise ? await handle : handle;
    const now = clock();
    const v = verifier.verifyCached(db, { text, now }) ?? (await verifier.verify(db, { text, now }));
    if (!v.ok) return fail(v.code);
    const tAuth = performance.now();
    const headers: Record<string, string> = { "x-content-type-options": "nosniff" };
    let rl: RateDecision;
    if (admission && mayGoEarly) {
      // A key without a cap writes nothing before the hold: its count can ride on the hold's call.
      const a = admission.begin(v.key.keyId, { deferrable: v.key.monthlyCapTokens === null });
      if (a.deferred) return { db, key: v.key, now, headers, phases: { auth: tAuth - t0, ratelimit: 0 }, deferred: a.deferred };
      if (a.early) {
        const phases: Phases = { auth: tAuth - t0, ratelimit: 0 };
        // The shared count's own round trip, measured while it overlaps the rest.
        const rate = a.decision.then((d) => ((phases.rate_rtt = performance.now() - tAuth), d));
        return { db, key: v.key, now, headers, phases, rate };
      }
      rl = await a.decision;
    } else rl = await limiter.take(v.key.keyId);
    const phases: Phases = { auth: tAuth - t0, ratelimit: performance.now() - tAuth };
    rateHeaders(headers, rl);
    if (!rl.ok) return fail("rate_limit_exceeded", headers);
    return { db, key: v.key, now, headers, phases };
  }

  function isCallable(modelId: string, key: KeyAuth): boolean {
    return !key.models || key.models.has(modelId);
  }

  let modelsCache: { at: number; data: { id: string; object: "model"; created: number; owned_by: string }[] } | undefined;
  function routableModels() {
    const t = nowMs();
    if (!modelsCache || t - modelsCache.at > 60_000) {
      // Listing only asks whether a route exists: no call is made with its address.
      const cfg = { ...opts.config, demoBaseUrl: typeof opts.config.demoBaseUrl === "string" ? opts.config.demoBaseUrl : "", ...opts.routeOptions };
      const created = Math.floor(t / 1000);
      modelsCache = {
        at: t,
        data: listedModels(cfg.catalog)
          .filter((m) => resolveRoute(m, cfg) !== null)
          .map((m) => ({
            id: m.id,
            object: "model" as const,
            created: m.releaseDate ? Math.floor(Date.parse(m.releaseDate) / 1000) || created : created,
            owned_by: m.providers[0]?.id ?? "unitoken",
          }))
          .concat(
            embeddingModelsFor()
              .filter((m) => resolveEmbeddingRoute(m, cfg) !== null)
              .map((m) => ({ id: m.id, object: "model" as const, created, owned_by: m.provider.id })),
          ),
      };
    }
    return modelsCache.data;
  }

  async function models(req: GatewayRequest): Promise<GatewayReply> {
    const t0 = performance.now();
    const a = await authenticate(req, t0);
    if (!("key" in a)) return a;
    const data = routableModels().filter((m) => isCallable(m.id, a.key));
    a.headers["content-type"] = "application/json";
    a.headers[OVERHEAD_HEADER] = ms(performance.now() - t0);
    return { status: 200, headers: a.headers, body: JSON.stringify({ object: "list", data }) };
  }

  /** OpenAI's POST /v1/chat/completions. */
  function chatCompletions(req: GatewayRequest): Promise<GatewayReply> {
    return runChat(req, openAiDialect);
  }

  /** Anthropic's POST /v1/messages, on the same pipeline. */
  function messages(req: GatewayRequest): Promise<GatewayReply> {
    return runChat(req, anthropicDialect);
  }

  /** A chat request in either dialect: authenticated, parsed into the gateway's chat request, metered, answered in the dialect. */
  async function runChat(req: GatewayRequest, dialect: Dialect): Promise<GatewayReply> {
    const t0 = performance.now();
    const a = await authenticate(req, t0, dialect.shape, true);
    if (!("key" in a)) return a;
    const { db, key, now, headers, phases } = a;
    const tParse = performance.now();
    const failNow = (code: string, details?: { message?: string; param?: string }) => {
      headers[OVERHEAD_HEADER] = ms(performance.now() - t0);
      return dialect.shape(errorFor(code, details), headers);
    };
    // A request that went early learns its rate decision here at the latest; a refusal wins over any other answer.
    let rate: RateDecision | null = null;
    const settleRate = async (): Promise<RateDecision | null> => {
      if (!rate) {
        // A deferred count nothing claimed (the request ends before any hold) is made here, on its own.
        const d = a.deferred ? await a.deferred.take() : a.rate ? await a.rate : null;
        if (d) {
          rate = d;
          rateHeaders(headers, d);
        }
      }
      return rate;
    };
    const fail = async (code: string, details?: { message?: string; param?: string }) => {
      const r = await settleRate();
      return r && !r.ok ? failNow("rate_limit_exceeded") : failNow(code, details);
    };
    const refusedHeaders = dialect.check?.(req);
    if (refusedHeaders) return fail("invalid_request", refusedHeaders);

    let raw: unknown;
    try {
      raw = await req.json();
    } catch (err) {
      if (err instanceof BodyError && err.code === "request_too_large") {
        headers.connection = "close";
        return fail("request_too_large");
      }
      return fail("invalid_request", { message: "The body must be a JSON object." });
    }
    if (raw === null || typeof raw !== "object" || Array.isArray(raw)) return fail("invalid_request", { message: "The body must be a JSON object." });
    const parsed = dialect.parse(raw as Record<string, unknown>);
    if (!parsed.ok) return fail("invalid_request", parsed.details);
    const body = parsed.body;
    if (!isCallable(body.model, key)) return fail("model_not_allowed");
    // A parameter the model's routes cannot honour is refused by name, never dropped.
    const catalogModel = getModel(body.model, opts.config.catalog);
    if (catalogModel) {
      const c = catalogModel.capabilities;
      const refused = unsupportedForModel(body, { tools: c.tools, imageInput: c.imageInput, temperature: c.temperature });
      if (refused) return fail("invalid_request", refused);
    }
    const params = upstreamParams(body);
    // OpenRouter's `provider` object narrows and orders the model's routes (lib/routing).
    const providerRaw = (raw as Record<string, unknown>).provider;
    const provider = providerRaw == null ? null : providerPreferences.safeParse(providerRaw);
    if (provider && !provider.success) {
      const issue = describeIssue(provider.error);
      const param = issue.param ? `provider.${issue.param}` : "provider";
      return fail("invalid_request", { message: `Invalid value for '${param}': ${provider.error.issues[0]?.message ?? "invalid"}`, param });
    }

    // randomUUID draws on Node's buffered entropy: no call into the system RNG per request.
    const requestId = dialect.requestId();
    const spend = new KeySpendHold(db, { keyId: key.keyId, cycle: cycleOf(now), now: clock, capped: key.monthlyCapTokens !== null });

    const tWallet = performance.now();
    phases.parse = tWallet - tParse;
    const { walletId, kind: walletKind } = payerCached(db, key.userId) ?? (await payerOf(db, key.userId));
    const tStart = performance.now();
    phases.wallet = tStart - tWallet;
    const config: PipelineConfig = {
      ...opts.config,
      demoBaseUrl: typeof opts.config.demoBaseUrl === "function" ? opts.config.demoBaseUrl(req) : opts.config.demoBaseUrl,
      upstreamHeaders: opts.config.demoMode ? demoHeaders(req, opts) : undefined,
    };
    const input: StartInput = {
      userId: key.userId,
      walletId,
      ...(walletKind ? { walletKind } : {}),
      modelId: body.model,
      // Images are held by their measured size (data URLs), else as the largest an image could be.
      messages: toPipelineMessages(body.messages, catalogModel ? (url) => imageUrlTokens(catalogModel, url) : undefined),
      maxOutputTokens: body.max_completion_tokens ?? body.max_tokens ?? undefined,
      ...(params ? { params } : {}),
      requestId,
      apiKeyId: key.keyId,
      now,
      config,
      // The client leaving stops the stream (the reply's cancel says the same, through `abandon`);
      // the pipeline asks for the signal once its upstream call is on its way.
      get signal() {
        return req.signal;
      },
      reportBalance: false,
      // The request's provider object first, then the key's own setting.
      routing: [fromProviderPreferences(provider?.data), key.routeSort ? { sort: key.routeSort } : null],
      hooks: {
        beforeReserve: async (amount) => {
          // The rate decision comes before the key's spend and the hold: a refused request holds
          // nothing. A deferred count is made by the hold's own call (rateCount), refused there.
          const rl = a.deferred ? null : await settleRate();
          if (rl && !rl.ok) return { ok: false, code: "rate_limit_exceeded" };
          const r = await spend.reserve(amount);
          return r.ok ? { ok: true } : { ok: false, code: r.code };
        },
        ...(a.deferred
          ? {
              rateCount: () => {
                const count = a.deferred!.claim();
                return count && { count, counted: (r) => a.deferred!.counted(r) };
              },
            }
          : {}),
        afterSettle: async (charged, held) => {
          try {
            await spend.settle(charged, held);
          } finally {
            await opts.afterSettle?.(db, { walletId, ...(walletKind ? { walletKind } : {}) })(charged, held);
          }
        },
      },
    };
    let started: StartResult;
    try {
      started = await opts.start(db, input);
    } catch (err) {
      await spend.release().catch(() => {});
      console.error("[gateway] pipeline failed to start", describeError(err));
      return fail("internal");
    }
    // Whatever the pipeline answered, the rate decision is known before the reply.
    await settleRate();
    if (!started.ok) {
      await spend.release();
      if (started.code === "not_member") wallets.delete(key.userId);
      return fail(started.code);
    }
    // Normally afterSettle resolves the key's hold; if settling failed, account for what we know.
    void started.done
      .then((o) => (spend.isOpen ? spend.settle(o.planTokens, o.held) : undefined))
      .catch((err) => console.error("[gateway] key settle failed", describeError(err)));
    headers["x-request-id"] = requestId;
    // Where the time before the provider's first token went: auth and rate limit, body, wallet,
    // route planning up to the upstream call, and the hold (written while the provider works).
    const upstreamAt = started.timing.upstreamAt ?? tStart;
    phases.route = upstreamAt - tStart;
    phases.hold = Math.max(0, started.timing.reservedAt - upstreamAt);
    // The hold's parts: the provider's acceptance, the key's rate decision and cap with the family
    // gate, and the wallet's reserve.
    const { acceptedAt, gatedAt } = started.timing;
    if (acceptedAt !== undefined && gatedAt !== undefined) {
      phases.hold_accept = Math.max(0, acceptedAt - upstreamAt);
      phases.hold_gate = Math.max(0, gatedAt - acceptedAt);
      phases.hold_reserve = Math.max(0, started.timing.reservedAt - gatedAt);
    }
    headers["server-timing"] = serverTiming(phases);
    // 放心用 "economy": served on the payer's economical model; the body's `model` names it too.
    if (started.switchedFrom) headers["x-unitoken-switched-from"] = started.switchedFrom;
    const created = Math.floor(now.getTime() / 1000);
    return dialect.respond({
      started,
      requestId,
      created,
      body,
      headers,
      t0,
      fail: failNow,
    });
  }

  let embeddingCache: ReturnType<typeof embeddingModels> | undefined;
  function embeddingModelsFor() {
    return (embeddingCache ??= embeddingModels(getCatalog(opts.config.catalog).referencePrice));
  }

  /** OpenAI's POST /v1/embeddings: the input held and settled like a prompt on the same ledger path. */
  async function embeddings(req: GatewayRequest): Promise<GatewayReply> {
    const t0 = performance.now();
    const a = await authenticate(req, t0);
    if (!("key" in a)) return a;
    const { db, key, now, headers } = a;
    const fail = (code: string, details?: { message?: string; param?: string }) => {
      headers[OVERHEAD_HEADER] = ms(performance.now() - t0);
      return openAiError(errorFor(code, details), headers);
    };
    let raw: unknown;
    try {
      raw = await req.json();
    } catch (err) {
      if (err instanceof BodyError && err.code === "request_too_large") {
        headers.connection = "close";
        return fail("request_too_large");
      }
      return fail("invalid_request", { message: "The body must be a JSON object." });
    }
    if (raw === null || typeof raw !== "object" || Array.isArray(raw)) return fail("invalid_request", { message: "The body must be a JSON object." });
    const extra = unsupportedParam(raw as Record<string, unknown>, EMBEDDING_FIELDS);
    if (extra) return fail("invalid_request", extra);
    const parsed = embeddingsRequest.safeParse(raw);
    if (!parsed.success) return fail("invalid_request", describeIssue(parsed.error));
    const body = parsed.data;
    if (!isCallable(body.model, key)) return fail("model_not_allowed");
    const model = embeddingModelsFor().find((m) => m.id === body.model);
    if (!model) {
      const chat = getModel(body.model, opts.config.catalog);
      return chat ? fail("invalid_request", { message: `'${body.model}' is a chat model, not an embedding model.`, param: "model" }) : fail("model_not_found");
    }
    if (body.dimensions != null && (!model.shortens || body.dimensions > model.dimensions))
      return fail("invalid_request", {
        message: model.shortens ? `'dimensions' must be at most ${model.dimensions} for ${model.id}.` : `${model.id} does not support 'dimensions'.`,
        param: "dimensions",
      });
    const demoBaseUrl = typeof opts.config.demoBaseUrl === "function" ? opts.config.demoBaseUrl(req) : opts.config.demoBaseUrl;
    const route = resolveEmbeddingRoute(model, { providerKey: opts.config.providerKey, demoMode: opts.config.demoMode, demoBaseUrl });
    if (!route) return fail("model_unavailable");
    const input = inputList(body.input);
    const total = input.reduce((n, x) => n + (typeof x === "string" ? Buffer.byteLength(x) : x.length), 0);
    // Bytes bound tokens from above: only a large batch needs counting to be refused.
    if (total > MAX_EMBEDDING_REQUEST_TOKENS && embeddingInputTokens(input).reduce((n, x) => n + x, 0) > MAX_EMBEDDING_REQUEST_TOKENS)
      return fail("invalid_request", { message: `The input is over ${MAX_EMBEDDING_REQUEST_TOKENS} tokens in total.`, param: "input" });

    const requestId = `emb-${uuid().replaceAll("-", "")}`;
    const spend = new KeySpendHold(db, { keyId: key.keyId, cycle: cycleOf(now), now: clock, capped: key.monthlyCapTokens !== null });
    const walletId = await walletFor(db, key.userId);
    let r: Awaited<ReturnType<typeof meteredEmbeddings>>;
    try {
      r = await (opts.embed ?? meteredEmbeddings)(db, {
        userId: key.userId,
        walletId,
        model,
        route,
        input,
        ...(body.dimensions == null ? {} : { dimensions: body.dimensions }),
        ...(body.user == null ? {} : { user: body.user }),
        requestId,
        apiKeyId: key.keyId,
        now,
        holdTtlSeconds: opts.config.holdTtlSeconds,
        upstreamHeaders: opts.config.demoMode ? demoHeaders(req, opts) : undefined,
        signal: req.signal,
        hooks: {
          beforeReserve: async (amount) => {
            const s = await spend.reserve(amount);
            return s.ok ? { ok: true } : { ok: false, code: s.code };
          },
          afterSettle: async (charged, held) => {
            try {
              await spend.settle(charged, held);
            } finally {
              await opts.afterSettle?.(db, { walletId })(charged, held);
            }
          },
        },
      });
    } catch (err) {
      if (spend.isOpen) await spend.release().catch(() => {});
      console.error("[gateway] embeddings failed", describeError(err));
      return fail("internal");
    }
    if (!r.ok) {
      if (spend.isOpen) await spend.release().catch(() => {});
      if (r.code === "not_member") wallets.delete(key.userId);
      return fail(r.code);
    }
    headers["x-request-id"] = requestId;
    headers["content-type"] = "application/json";
    headers["x-unitoken-plan-tokens"] = r.planTokens.toString();
    headers[OVERHEAD_HEADER] = ms(performance.now() - t0);
    return {
      status: 200,
      headers,
      body: embeddingsBody({ model: body.model, vectors: r.vectors, promptTokens: r.promptTokens, base64: body.encoding_format === "base64" }),
    };
  }

  /**
   * Anthropic's POST /v1/messages/count_tokens: the prompt's tokens as the hold and the demo model
   * count them (messages, tool calls and results, tool definitions); nothing is charged.
   */
  async function countMessageTokens(req: GatewayRequest): Promise<GatewayReply> {
    const t0 = performance.now();
    const a = await authenticate(req, t0, anthropicError);
    if (!("key" in a)) return a;
    const { key, headers } = a;
    const fail = (code: string, details?: { message?: string; param?: string }) => {
      headers[OVERHEAD_HEADER] = ms(performance.now() - t0);
      return anthropicError(errorFor(code, details), headers);
    };
    const refusedHeaders = anthropicDialect.check?.(req);
    if (refusedHeaders) return fail("invalid_request", refusedHeaders);
    let raw: unknown;
    try {
      raw = await req.json();
    } catch (err) {
      return fail(err instanceof BodyError && err.code === "request_too_large" ? "request_too_large" : "invalid_request", {
        message: "The body must be a JSON object.",
      });
    }
    if (raw === null || typeof raw !== "object" || Array.isArray(raw)) return fail("invalid_request", { message: "The body must be a JSON object." });
    // The same body as a message, without max_tokens (nothing is generated).
    const parsed = anthropicDialect.parse({ max_tokens: 1, ...(raw as Record<string, unknown>) });
    if (!parsed.ok) return fail("invalid_request", parsed.details);
    const body = parsed.body;
    if (!isCallable(body.model, key)) return fail("model_not_allowed");
    const countModel = getModel(body.model, opts.config.catalog);
    if (!countModel) return fail("model_not_found");
    const params = upstreamParams(body);
    const inputTokens =
      countChatTokens(toPipelineMessages(body.messages, (url) => imageUrlTokens(countModel, url))) +
      countDefinitionTokens(params ? definitionsText(params) : "");
    headers["content-type"] = "application/json";
    headers[OVERHEAD_HEADER] = ms(performance.now() - t0);
    return { status: 200, headers, body: JSON.stringify({ input_tokens: inputTokens }) };
  }

  return { chatCompletions, messages, countMessageTokens, models, embeddings, verifier, limiter };
}

type Fail = (code: string, details?: { message?: string; param?: string }) => GatewayReply;

const EMBEDDING_FIELDS: ReadonlySet<string> = new Set(Object.keys(embeddingsRequest.shape));

type ErrorShape = (spec: OpenAiErrorSpec, headers: Record<string, string>) => GatewayReply;

type Respond = {
  started: StartSuccess;
  requestId: string;
  created: number;
  body: ChatCompletionRequest;
  headers: Record<string, string>;
  t0: number;
  fail: Fail;
};

/** How one API speaks: its error shape, its body (as the gateway's chat request) and its replies. */
type Dialect = {
  shape: ErrorShape;
  /** A header the API requires, checked before the body is read. */
  check?: (req: GatewayRequest) => { message: string; param?: string } | null;
  parse: (raw: Record<string, unknown>) => { ok: true; body: ChatCompletionRequest } | { ok: false; details: { message: string; param?: string } };
  requestId: () => string;
  respond: (p: Respond) => Promise<GatewayReply>;
};

const openAiDialect: Dialect = {
  shape: openAiError,
  parse(raw) {
    const extra = unsupportedParam(raw);
    if (extra) return { ok: false, details: extra };
    // The common shape is checked by hand; the schema has the rest and every refusal's words.
    const common = checkCommonChatRequest(raw);
    if (common) return { ok: true, body: common };
    const parsed = chatCompletionRequest.safeParse(raw);
    return parsed.success ? { ok: true, body: parsed.data } : { ok: false, details: describeIssue(parsed.error) };
  },
  // randomUUID draws on Node's buffered entropy: no call into the system RNG per request.
  requestId: () => `chatcmpl-${uuid().replaceAll("-", "")}`,
  respond(p) {
    const model = p.started.switchedFrom ? p.started.model.id : p.body.model;
    if (p.body.stream) return streamResponse({ ...p, model, includeUsage: !!p.body.stream_options?.include_usage });
    return jsonResponse({ ...p, model });
  },
};

const anthropicDialect: Dialect = {
  shape: anthropicError,
  check: (req) => (req.header("anthropic-version") ? null : { message: "anthropic-version: header is required", param: "anthropic-version" }),
  parse(raw) {
    const extra = unsupportedMessagesParam(raw);
    if (extra) return { ok: false, details: extra };
    const parsed = messagesRequest.safeParse(raw);
    if (!parsed.success) return { ok: false, details: describeIssue(parsed.error) };
    // The translation is checked by the chat request's own rules (tool names, tool_choice).
    const chat = chatCompletionRequest.safeParse(toChatRequest(parsed.data));
    return chat.success ? { ok: true, body: chat.data } : { ok: false, details: describeIssue(chat.error) };
  },
  requestId: messageId,
  async respond(p) {
    const common = {
      started: p.started,
      id: p.requestId,
      model: p.started.switchedFrom ? p.started.model.id : p.body.model,
      headers: p.headers,
      overheadHeader: OVERHEAD_HEADER,
      finish: (o: CompletionOutcome) => finishReason(p.started, o),
    };
    if (!p.body.stream) {
      const tEnd = { at: 0 };
      return anthropicJson({
        ...common,
        overhead: () => ms(gatewayTime(p.started, p.t0) + (tEnd.at ? performance.now() - tEnd.at : 0)),
        cleanup: () => {
          tEnd.at = performance.now();
        },
        upstreamFailed: (outcome) => {
          p.headers[OVERHEAD_HEADER] = ms(gatewayTime(p.started, p.t0));
          return anthropicError(upstreamFailure(outcome), p.headers);
        },
      });
    }
    // As for OpenAI's stream: answer once the provider accepted; a refusal before any output is a real HTTP error.
    const it = p.started.events[Symbol.asyncIterator]();
    await p.started.opened;
    const first = it.next();
    const early = await Promise.race([first, NOT_YET]);
    if (early !== NOT_YET_VALUE && early.done) {
      const outcome = await p.started.done;
      if (outcome.status === "error" || outcome.status === "interrupted" || outcome.status === "aborted") {
        p.headers[OVERHEAD_HEADER] = ms(gatewayTime(p.started, p.t0));
        return anthropicError(upstreamFailure(outcome), p.headers);
      }
    }
    return anthropicStream({ ...common, overhead: () => ms(gatewayTime(p.started, p.t0)), first });
  },
};

const NOT_YET_VALUE = Symbol("not yet");
const NOT_YET = Promise.resolve(NOT_YET_VALUE);

/**
 * The time the gateway itself stood between the client and the model: until the upstream call
 * went out, plus any time the first text had to wait for the hold (the hold is written while the
 * model works on the prompt, so usually none).
 */
function gatewayTime(started: StartSuccess, t0: number): number {
  const t = started.timing;
  const upstreamAt = t.upstreamAt ?? performance.now();
  return upstreamAt - t0 + (t.firstTextAt === null ? 0 : Math.max(0, t.reservedAt - t.firstTextAt));
}

/**
 * What a client is told when the provider failed before any output: a request the provider
 * refused as invalid (a parameter it does not take) is the client's 400, in the provider's words;
 * anything else is the provider's failure (502).
 */
function upstreamFailure(outcome: CompletionOutcome) {
  if (outcome.errorCode === "upstream_bad_request")
    return errorFor("invalid_request", { message: `The model provider refused the request: ${(outcome.errorMessage ?? "invalid request").slice(0, 500)}` });
  return errorFor("upstream_error");
}

const FINISH_REASONS = new Set(["stop", "length", "tool_calls", "content_filter"]);

/** The provider's finish reason when it is one of OpenAI's, else stop or length by the output's size. */
function finishReason(started: StartSuccess, outcome: { tokensOut: number; finishReason?: string }): string {
  if (outcome.finishReason && FINISH_REASONS.has(outcome.finishReason)) return outcome.finishReason;
  return outcome.tokensOut >= started.maxOutputTokens ? "length" : "stop";
}

type WholeToolCall = { id: string; type: "function"; function: { name: string; arguments: string } };

/** Streamed tool-call pieces put together by index, as a non-streaming reply carries them. */
function assembleToolCalls(into: WholeToolCall[], byIndex: Map<number, WholeToolCall>, deltas: ToolCallDelta[]): void {
  for (const d of deltas) {
    let c = byIndex.get(d.index);
    if (!c) {
      c = { id: d.id ?? `call_${d.index}`, type: "function", function: { name: "", arguments: "" } };
      byIndex.set(d.index, c);
      into.push(c);
    }
    if (d.id) c.id = d.id;
    if (d.name) c.function.name += d.name;
    c.function.arguments += d.arguments;
  }
}

/** A stream chunk's delta for tool-call pieces: the first piece of a call carries its id, type and name. */
function toolCallsDelta(deltas: ToolCallDelta[]): string {
  return JSON.stringify({
    tool_calls: deltas.map((d) =>
      d.id || d.name
        ? { index: d.index, ...(d.id ? { id: d.id, type: "function" } : {}), function: { ...(d.name ? { name: d.name } : {}), arguments: d.arguments } }
        : { index: d.index, function: { arguments: d.arguments } },
    ),
  });
}

function usageOf(o: { tokensIn: number; tokensOut: number }) {
  return { prompt_tokens: o.tokensIn, completion_tokens: o.tokensOut, total_tokens: o.tokensIn + o.tokensOut };
}

async function jsonResponse(p: {
  started: StartSuccess;
  requestId: string;
  created: number;
  model: string;
  headers: Record<string, string>;
  t0: number;
  fail: Fail;
}): Promise<GatewayReply> {
  const { started, headers } = p;
  let text = "";
  const toolCalls: WholeToolCall[] = [];
  const byIndex = new Map<number, WholeToolCall>();
  for await (const ev of started.events) {
    text += ev.text;
    if (ev.toolCalls) assembleToolCalls(toolCalls, byIndex, ev.toolCalls);
  }
  // Gateway time: before the upstream call, and from the model's last token to our answer.
  const tEnd = performance.now();
  const overhead = () => gatewayTime(started, p.t0) + (performance.now() - tEnd);
  const outcome = await started.done;
  if ((outcome.status === "error" || outcome.status === "interrupted") && text === "" && toolCalls.length === 0) {
    headers[OVERHEAD_HEADER] = ms(overhead());
    return openAiError(upstreamFailure(outcome), headers);
  }
  const body = {
    id: p.requestId,
    object: "chat.completion",
    created: p.created,
    model: p.model,
    choices: [
      {
        index: 0,
        message:
          toolCalls.length > 0
            ? { role: "assistant", content: text === "" ? null : text, refusal: null, tool_calls: toolCalls }
            : { role: "assistant", content: text, refusal: null },
        logprobs: null,
        finish_reason: finishReason(started, outcome),
      },
    ],
    usage: usageOf(outcome),
    system_fingerprint: null,
  };
  headers["content-type"] = "application/json";
  headers["x-unitoken-plan-tokens"] = outcome.planTokens.toString();
  headers[OVERHEAD_HEADER] = ms(overhead());
  return { status: 200, headers, body: JSON.stringify(body) };
}

async function streamResponse(p: {
  started: StartSuccess;
  requestId: string;
  created: number;
  model: string;
  includeUsage: boolean;
  headers: Record<string, string>;
  t0: number;
  fail: Fail;
}): Promise<GatewayReply> {
  const { started, headers } = p;
  const it = started.events[Symbol.asyncIterator]();
  // Answer as soon as the provider has accepted the call (and the hold stands), so the response
  // is on its way while the model thinks and the first token only has to be written. A provider
  // that refused the call outright has ended the stream by now: that is a real HTTP error.
  await started.opened;
  const firstRead = it.next();
  const early = await Promise.race([firstRead, NOT_YET]);
  if (early !== NOT_YET_VALUE && early.done) {
    const outcome = await started.done;
    if (outcome.status === "error" || outcome.status === "interrupted" || outcome.status === "aborted") {
      headers[OVERHEAD_HEADER] = ms(gatewayTime(started, p.t0));
      return openAiError(upstreamFailure(outcome), headers);
    }
  }
  // Every chunk shares this prefix; per token we only JSON-encode the text.
  const head = `data: {"id":"${p.requestId}","object":"chat.completion.chunk","created":${p.created},"model":${JSON.stringify(p.model)},"system_fingerprint":null,"choices":[{"index":0,"delta":`;
  const tail = p.includeUsage ? `,"logprobs":null,"finish_reason":null}],"usage":null}\n\n` : `,"logprobs":null,"finish_reason":null}]}\n\n`;
  const chunk = (ev: TextEvent) => {
    if (!ev.toolCalls) return head + `{"content":${JSON.stringify(ev.text)}}` + tail;
    const calls = head + toolCallsDelta(ev.toolCalls) + tail;
    return ev.text ? head + `{"content":${JSON.stringify(ev.text)}}` + tail + calls : calls;
  };
  const end = async (): Promise<string> => {
    const outcome = await started.done;
    if (outcome.status === "error" || outcome.status === "interrupted") {
      return midStreamErrorEvent(outcome.errorCode);
    }
    const fr = finishReason(started, outcome);
    let out = head + `{},"logprobs":null,"finish_reason":"${fr}"}]` + (p.includeUsage ? `,"usage":null}\n\n` : `}\n\n`);
    if (p.includeUsage) {
      out += `data: {"id":"${p.requestId}","object":"chat.completion.chunk","created":${p.created},"model":${JSON.stringify(p.model)},"system_fingerprint":null,"choices":[],"usage":${JSON.stringify(usageOf(outcome))}}\n\n`;
    }
    return out + "data: [DONE]\n\n";
  };
  const stream: ReplyStream = {
    cancel() {
      // The client went away: the pipeline charges only what was delivered and settles.
      started.abandon();
    },
    // As OpenAI does, the first piece carries the role and no text.
    pipe: (out) =>
      pipeDeltas(out, {
        head: head + `{"role":"assistant","content":""}` + tail,
        first: firstRead,
        started,
        write: (ev) => out.write(chunk(ev)),
        last: end,
      }),
  };
  Object.assign(headers, SSE_HEADERS);
  headers[OVERHEAD_HEADER] = ms(gatewayTime(started, p.t0));
  return { status: 200, headers, stream };
}
