import { and, eq } from "drizzle-orm";
import type { Database } from "@/lib/db/types";
import { hold, usage } from "@/lib/db/schema";
import { getModel, resolveRoutes } from "@/lib/catalog";
import { failover, maxWeights, planRoutes, processRouteHealth, routeKey, type RouteAttempt } from "@/lib/routing";
import { countTokens, definitionsText } from "@/lib/metering";
import { cycleOf } from "@/lib/core/cycle";
import { currentDate, nowMs } from "@/lib/core/clock";
import { describeError } from "@/lib/core/errors";
import { getBalance, release, reserve, settle, type RateCount, type UsageInput } from "@/lib/ledger";
import { pushCompletion, type StreamEvent } from "@/lib/upstream";
import { DeltaQueue } from "./queue";
import { countPrompt, processPromptCounts, sizeHold } from "./size";
import { ProgressNotes } from "./progress";
import { completionVerdict, type StreamRecord } from "./outcome";
import type { CompletionOutcome, CompletionStatus, PipelineHooks, StartFailure, StartInput, StartResult, StartTiming, UpstreamCall } from "./types";

export { DEFAULT_MAX_OUTPUT_TOKENS } from "./size";
const DEFAULT_PROGRESS_MS = 1_000;
/** A route with another after it gets this long to produce its first output. */
const DEFAULT_ATTEMPT_TIMEOUT_MS = 10_000;
/** No other route is tried after this long. */
const DEFAULT_FAILOVER_DEADLINE_MS = 30_000;
/** A settle the database refused is tried this many times before the sweeper is left to it. */
const SETTLE_ATTEMPTS = 3;
/** A consumer that stops reading without leaving is given this long before the rest counts as undelivered. */
const CONSUMER_GRACE_MS = 30_000;

/**
 * Wallets refused a hold a moment ago. Their next requests reserve first and call the model only
 * once the hold stands, so an empty wallet cannot make us start (and abort) upstream calls; every
 * other request starts the upstream call while its hold is being written. Per process.
 */
const REFUSED_MEMORY_MS = 60_000;
const refusedAt = new Map<string, number>();
function noteRefused(walletId: string): void {
  if (refusedAt.size >= 10_000) refusedAt.clear();
  refusedAt.set(walletId, nowMs());
}
function recentlyRefused(walletId: string): boolean {
  const t = refusedAt.get(walletId);
  if (t === undefined) return false;
  if (nowMs() - t <= REFUSED_MEMORY_MS) return true;
  refusedAt.delete(walletId);
  return false;
}

function fail(code: StartFailure["code"], details?: Record<string, unknown>): StartFailure {
  return details ? { ok: false, code, details } : { ok: false, code };
}

/** The usage row's request id: the client's key, scoped to the user so keys never collide across accounts. */
export function usageRequestId(userId: string, requestId: string): string {
  return `${userId}:${requestId}`;
}

/** How a retried request id ended the first time (or that it is still running). */
async function firstOutcome(db: Database, userId: string, requestId: string): Promise<StartFailure> {
  const rid = usageRequestId(userId, requestId);
  const [u] = await db
    .select({ id: usage.id, status: usage.status, planTokens: usage.planTokens, tokensIn: usage.tokensIn, tokensOut: usage.tokensOut })
    .from(usage)
    .where(and(eq(usage.requestId, rid), eq(usage.userId, userId)))
    .limit(1);
  if (u) {
    return fail("duplicate_request", {
      inFlight: false,
      usageId: u.id,
      status: u.status,
      planTokens: u.planTokens.toString(),
      tokensIn: u.tokensIn,
      tokensOut: u.tokensOut,
    });
  }
  const [h] = await db
    .select({ state: hold.state })
    .from(hold)
    .where(eq(hold.idempotencyKey, `req:${rid}`))
    .limit(1);
  return fail("duplicate_request", { inFlight: h?.state === "open", status: h && h.state !== "open" ? "unknown" : undefined });
}

/**
 * Settles (or, for a charge of 0, releases) a finished request's hold with its usage row, now:
 * a database hiccup is retried; only if it persists is the hold left, with its recorded progress
 * and usage draft, to the sweeper. Returns what was charged, or null when it could not.
 */
export async function resolveCompletion(
  db: Database,
  { holdId, planTokens, usage: u, now }: { holdId: string; planTokens: bigint; usage: UsageInput; now: () => Date },
): Promise<{ charged: bigint; usageId?: string } | null> {
  for (let attempt = 1; ; attempt++) {
    try {
      const res =
        planTokens > 0n ? await settle(db, { holdId, amount: planTokens, usage: u, now: now() }) : await release(db, { holdId, usage: u, now: now() });
      return res.usageId ? { charged: res.charged, usageId: res.usageId } : { charged: res.charged };
    } catch (e) {
      console.error("[completion] settle failed", describeError(e));
      if (attempt >= SETTLE_ATTEMPTS) return null;
      await new Promise((r) => setTimeout(r, 100 * 4 ** attempt));
    }
  }
}

/**
 * The metered completion: size and reserve a hold (prompt × input weight + max output × output
 * weight), stream the reply as it arrives, then settle what the upstream really produced —
 * provider usage when reported, else the produced text and reasoning counted — and release the
 * rest. Once the upstream accepted the request its prompt is charged, even if the client leaves
 * before the first token; nothing is charged when it refuses or fails before producing output.
 * While the stream lives, progress notes keep its hold alive (the sweeper and support only take
 * holds with no progress for the TTL) and tell it when it must stop (its member was removed).
 * Sizing (size.ts), progress notes (progress.ts) and the verdict (outcome.ts) are separate steps.
 */
export async function startMeteredCompletion(db: Database, input: StartInput & { upstream?: UpstreamCall }): Promise<StartResult> {
  const { config, userId, walletId } = input;
  const model = getModel(input.modelId, config.catalog);
  if (!model || model.hidden) return fail("unknown_model");
  // 放心用 "economy": a spender switched this cycle is served on the payer's economical model.
  if (config.economyModel && input.switchedFrom === undefined) {
    const asked = config.economyModel(db, { walletId, userId, modelId: model.id, weights: model.weights, now: input.now });
    const to = asked instanceof Promise ? await asked : asked;
    if (to && to !== model.id) return startMeteredCompletion(db, { ...input, modelId: to, switchedFrom: model.id });
  }
  const health = config.routing?.health ?? processRouteHealth;
  const plan = planRoutes({
    routes: resolveRoutes(model, { providerKey: config.providerKey, demoMode: config.demoMode, demoBaseUrl: config.demoBaseUrl }),
    // A family owner's narrowing applies to the family wallet's requests: a personal wallet has none to read.
    layers: [...(input.routing ?? []), config.routing?.walletLayer && input.walletKind !== "personal" ? await config.routing.walletLayer(db, walletId) : null],
    defaultSort: config.routing?.defaultSort,
    stats: (r) => health.stats(routeKey(r)),
  });
  const routes = plan.routes;
  if (routes.length === 0) return fail("model_unavailable");
  // The route that serves is known only once output comes: the hold covers the dearest allowed
  // one, the settle charges the one that served.
  let route = routes[0]!;
  const routeAttempts: RouteAttempt[] = [];
  const holdBasis = { limits: model.limits, weights: maxWeights(routes) };
  // Tool definitions and a reply schema are prompt: counted into the hold and the charge.
  const definitions = input.params ? definitionsText(input.params) : "";
  const count = (config.promptCounts ?? processPromptCounts).counter(userId);
  const sized = sizeHold(holdBasis, input.messages, { asked: input.maxOutputTokens, definitions, count });
  if ("tooLong" in sized) return fail("context_too_long", sized.tooLong);
  let size = sized;
  const { maxOutputTokens } = size;
  const weights = { inMicro: route.weights.inMicro, outMicro: route.weights.outMicro };
  const clock = config.clock ?? currentDate;
  const rid = usageRequestId(userId, input.requestId);
  const routeName = () => (route.kind === "demo" ? "demo" : route.providerId);
  const usageOf = (c: { tokensIn: number; tokensOut: number; usageSource: UsageInput["usageSource"]; status: CompletionStatus }): UsageInput => ({
    requestId: rid,
    userId,
    modelId: model.id,
    providerRoute: routeName(),
    routeAttempts: [...routeAttempts],
    conversationId: input.conversationId ?? null,
    apiKeyId: input.apiKeyId ?? null,
    tokensIn: c.tokensIn,
    tokensOut: c.tokensOut,
    weightInMicro: weights.inMicro,
    weightOutMicro: weights.outMicro,
    usageSource: c.usageSource,
    status: c.status,
  });

  // ---- the stream, as it happens ---------------------------------------------------------
  const upstreamAbort = new AbortController();
  let deliveredChars = 0;
  let textChars = 0;
  const produced: string[] = [];
  // Cached input and reasoning output as the provider reported them (the receipt and bill show them).
  let reportedDetail: { tokensCached: number | null; tokensReasoning: number | null } = { tokensCached: null, tokensReasoning: null };
  const rec = {
    opened: false,
    stopRequested: false,
    cancelledByServer: false,
    reported: null as StreamRecord["reported"],
    finishReason: undefined as string | undefined,
    upstreamError: null as StreamRecord["upstreamError"],
  };
  const notes = new ProgressNotes(
    db,
    {
      produced: () => produced.join(""),
      promptTokens: () => (rec.opened ? size.promptTokens : 0),
      holdAmount: () => size.holdAmount,
      weights,
      draft: (tokensIn, tokensOut) => usageOf({ tokensIn, tokensOut, usageSource: "counted", status: "interrupted" }),
    },
    {
      ttlSeconds: config.holdTtlSeconds,
      clock,
      everyMs: config.progressEveryMs ?? DEFAULT_PROGRESS_MS,
      heartbeatMs: config.heartbeatMs,
      onStop: () => {
        rec.stopRequested = true;
        upstreamAbort.abort();
      },
    },
  );

  const queue = new DeltaQueue(
    (ev) => {
      deliveredChars += ev.text.length;
      if (ev.toolCalls) for (const t of ev.toolCalls) deliveredChars += (t.name?.length ?? 0) + t.arguments.length;
    },
    // The consumer left: stop the provider now (it stops generating, and billing, when the call
    // is closed); what it produced until then is charged.
    () => upstreamAbort.abort(),
  );

  const upstream = input.upstream ?? pushCompletion;
  let pumping = false;
  const timing: StartTiming = { upstreamAt: null, firstTextAt: null, reservedAt: 0 };
  let accepted!: () => void;
  const upstreamAccepted = new Promise<void>((r) => (accepted = r));
  let pumped: Promise<void> = Promise.resolve();
  // The upstream's events are handled as they are parsed, in the connection's own callback: a
  // token is accounted and handed to the queue without a promise in between.
  const pump = () =>
    new Promise<void>((resolve) => {
      let over = false;
      const end = () => {
        if (over) return;
        over = true;
        accepted();
        queue.end();
        resolve();
      };
      const onEvent = (ev: StreamEvent) => {
        if (over) return;
        try {
          handle(ev);
        } catch (err) {
          // Never left hanging: the call is stopped and the request settles on what it has.
          rec.upstreamError = { code: "upstream_error", message: String(err) };
          upstreamAbort.abort();
          end();
        }
      };
      const handle = (ev: StreamEvent) => {
        if (ev.type === "reasoning") {
          // Reasoning is output the provider bills: produced, counted, never forwarded.
          produced.push(ev.text);
          notes.output();
        } else if (ev.type === "text") {
          timing.firstTextAt ??= performance.now();
          textChars += ev.text.length;
          produced.push(ev.text);
          notes.output();
          if (!queue.consumerGone) queue.push(ev.text);
        } else if (ev.type === "tool_call") {
          // A tool call is output like text: its name and arguments are produced, counted and delivered.
          timing.firstTextAt ??= performance.now();
          const t = (ev.name ?? "") + ev.arguments;
          textChars += t.length;
          produced.push(t);
          notes.output();
          const { type: _, ...delta } = ev;
          if (!queue.consumerGone) queue.push("", [delta]);
        } else if (ev.type === "usage") {
          rec.reported = { tokensIn: ev.tokensIn, tokensOut: ev.tokensOut };
          reportedDetail = { tokensCached: ev.cachedIn ?? null, tokensReasoning: ev.reasoningOut ?? null };
          rec.finishReason = ev.finishReason;
          end();
        } else {
          rec.upstreamError = { code: ev.error.code, message: ev.error.message };
          end();
        }
      };
      try {
        failover(
          {
            messages: input.messages,
            maxOutputTokens,
            headers: config.upstreamHeaders,
            ...(input.params ? { params: input.params } : {}),
          },
          {
            routes,
            call: upstream,
            signal: upstreamAbort.signal,
            health,
            attemptTimeoutMs: config.routing?.attemptTimeoutMs ?? DEFAULT_ATTEMPT_TIMEOUT_MS,
            deadlineMs: config.routing?.deadlineMs ?? DEFAULT_FAILOVER_DEADLINE_MS,
            attempts: routeAttempts,
            onRoute: (r) => {
              // A new route: nothing of the one before is charged (it produced nothing).
              route = r;
              weights.inMicro = r.weights.inMicro;
              weights.outMicro = r.weights.outMicro;
              rec.opened = false;
            },
            onOpen: () => {
              rec.opened = true;
              accepted();
            },
          },
          onEvent,
        );
      } catch (err) {
        rec.upstreamError = { code: "upstream_error", message: String(err) };
        upstreamAbort.abort();
        end();
      }
    });
  const startPump = () => {
    pumping = true;
    timing.upstreamAt = performance.now();
    pumped = pump();
  };
  if (!recentlyRefused(walletId)) startPump();
  // The client leaving abandons the queue (listened for once the call is on its way: nothing of
  // the call's own can happen before this turn ends).
  if (input.signal) {
    if (input.signal.aborted) queue.abandon();
    else input.signal.addEventListener("abort", () => queue.abandon(), { once: true });
  }
  // undici writes a request on a reused keep-alive connection only in the event loop's check
  // phase, once it has read what the idle socket may hold (a close, a stray byte): everything
  // this turn still runs delays that write. What is left to do before the hold (counting the
  // prompt) waits for the next check phase, after the write.
  if (pumping) await new Promise<void>((resolve) => setImmediate(resolve));
  size = countPrompt(size, holdBasis, input.messages, { definitions, count });
  const { holdAmount, promptTokens } = size;

  // ---- the durable reservation -----------------------------------------------------------
  // The upstream call above is already on its way (unless this wallet was refused a moment ago);
  // its text waits in the queue and reaches nobody until the hold is in the database. If the
  // hold is refused, the upstream call is aborted before any text left, and nothing is charged.
  const stop = async () => {
    queue.abandon();
    upstreamAbort.abort();
    await pumped;
  };
  const refused = async (r: StartFailure): Promise<StartFailure> => {
    if (r.code !== "duplicate_request") noteRefused(walletId);
    await stop();
    return r;
  };
  let reserved: Awaited<ReturnType<typeof reserve>>;
  let switchTo: string | null = null;
  let gate: { settle(charged: bigint): Promise<void> } | null = null;
  const settleGate = async (charged: bigint) => {
    try {
      await gate?.settle(charged);
    } catch (e) {
      console.error("[completion] member gate settle failed", describeError(e));
    }
  };
  try {
    // The hold is written while the provider works on the prompt: from the moment it accepted
    // the call (or failed) until its first token, so the two don't compete for the first
    // milliseconds. Text still waits for the hold.
    if (pumping) await upstreamAccepted;
    timing.acceptedAt = performance.now();
    // The caller's hook (an API key's rate decision and cap) and the family gate are independent:
    // asked together, one round trip instead of two. The hook's refusal wins, and whatever the
    // other claimed is given back.
    const [hooked, gated] = await Promise.allSettled([
      input.hooks?.beforeReserve ? input.hooks.beforeReserve(holdAmount) : null,
      config.memberGate && input.walletKind !== "personal"
        ? config.memberGate(db, { walletId, userId, modelId: model.id, weights: model.weights, amount: holdAmount, now: input.now })
        : null,
    ]);
    timing.gatedAt = performance.now();
    if (gated.status === "fulfilled" && gated.value?.ok) gate = gated.value;
    if (hooked.status === "rejected") throw hooked.reason;
    if (hooked.value && !hooked.value.ok) {
      await settleGate(0n);
      return await refused(fail(hooked.value.code, { holdAmount: holdAmount.toString() }));
    }
    if (gated.status === "rejected") throw gated.reason;
    const g = gated.value;
    if (g && !g.ok) return await refused(fail(g.code, { ...g.details, holdAmount: holdAmount.toString() }));
    const reserveHold = (rate?: RateCount) =>
      reserve(db, {
        walletId,
        userId,
        amount: holdAmount,
        idempotencyKey: `req:${rid}`,
        cycle: cycleOf(input.now),
        now: input.now,
        ttlSeconds: config.holdTtlSeconds,
        ...(rate ? { rate } : {}),
      });
    // The caller's shared rate count, when it asks for one, rides on the first reserve: one
    // round trip for both, and over the limit nothing is held.
    const rc = input.hooks?.rateCount?.() ?? null;
    try {
      reserved = await reserveHold(rc?.count);
    } catch (e) {
      rc?.counted(null);
      throw e;
    }
    rc?.counted(reserved.rate ?? null);
    if (!reserved.ok && reserved.code === "rate_limited") {
      await settleGate(0n);
      return await refused(fail("rate_limit_exceeded", { holdAmount: holdAmount.toString() }));
    }
    // 放心用: the payer may have chosen to buy a pack when the wallet runs dry; then try once more.
    if (!reserved.ok && reserved.code === "insufficient_balance" && config.safetyNet) {
      let net: boolean | { switchTo: string } = false;
      try {
        net = await config.safetyNet(db, { walletId, userId, now: input.now, modelId: model.id, weights: model.weights });
      } catch (e) {
        console.error("[completion] safety net failed", describeError(e));
      }
      if (net === true) reserved = await reserveHold();
      // Switched once at most: the economical model's own shortfall buys a pack or is refused.
      else if (typeof net === "object" && input.switchedFrom === undefined && net.switchTo !== model.id) switchTo = net.switchTo;
    }
  } catch (e) {
    await stop();
    await settleGate(0n);
    // Same key, other parameters (a retry with a different prompt): still the same request.
    if ((e as { code?: string }).code === "idempotency_conflict") return firstOutcome(db, userId, input.requestId);
    throw e;
  }
  if (switchTo) {
    // Nothing was held for the model asked for: stop its call and start over on the economical one.
    await stop();
    await settleGate(0n);
    // The caller's own reservation (an API key's cap) was made for the model asked for: the
    // economical hold must fit in it, and it is settled for the amount it reserved.
    const h = input.hooks;
    const keyHeld = h?.beforeReserve ? holdAmount : null;
    const hooks: PipelineHooks | undefined =
      keyHeld === null
        ? h
        : {
            beforeReserve: async (amount) => (amount <= keyHeld ? { ok: true } : { ok: false, code: "insufficient_balance" }),
            ...(h?.afterSettle ? { afterSettle: (charged: bigint) => h.afterSettle!(charged, keyHeld) } : {}),
          };
    return startMeteredCompletion(db, { ...input, hooks, modelId: switchTo, switchedFrom: model.id });
  }
  if (!reserved.ok) {
    await settleGate(0n);
    return refused(
      fail(reserved.code, {
        holdAmount: holdAmount.toString(),
        ...(reserved.available !== undefined ? { available: reserved.available.toString() } : {}),
        ...(reserved.capLeft !== undefined ? { capLeft: reserved.capLeft.toString() } : {}),
      }),
    );
  }
  if (reserved.replayed) {
    await settleGate(0n);
    return refused(await firstOutcome(db, userId, input.requestId));
  }
  const holdId = reserved.holdId;
  timing.reservedAt = performance.now();
  refusedAt.delete(walletId);
  if (!pumping) startPump();
  notes.start(holdId);

  // ---- the settle ------------------------------------------------------------------------
  const done = (async (): Promise<CompletionOutcome> => {
    await pumped;
    // Settle only once the consumer has taken what it will take (or left).
    let graceTimer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([queue.finished, new Promise<void>((r) => (graceTimer = setTimeout(r, CONSUMER_GRACE_MS)))]);
    clearTimeout(graceTimer);
    if (!queue.consumerGone && deliveredChars < textChars) queue.abandon();
    await notes.finish();
    const producedText = produced.join("");
    // The whole output counted once more; the charge never falls below a note.
    const countedOut = Math.max(notes.countedOut, countTokens(producedText));
    const verdict = completionVerdict(
      { ...rec, producedText, countedOut, deliveredChars, abortedByUs: upstreamAbort.signal.aborted, consumerGone: queue.consumerGone },
      { promptTokens, weights, holdAmount, trustZero: route.kind !== "demo" },
    );
    const { status, charge } = verdict;
    const outcome: CompletionOutcome = {
      status,
      tokensIn: charge.tokensIn,
      tokensOut: charge.tokensOut,
      planTokens: charge.planTokens,
      usageSource: charge.usageSource,
      held: holdAmount,
      providerRoute: routeName(),
      routeAttempts: [...routeAttempts],
      ...(verdict.errorCode ? { errorCode: verdict.errorCode } : {}),
      ...(verdict.errorCode && rec.upstreamError?.message ? { errorMessage: rec.upstreamError.message } : {}),
      ...(rec.finishReason ? { finishReason: rec.finishReason } : {}),
    };
    const resolved = await resolveCompletion(db, {
      holdId,
      planTokens: charge.planTokens,
      usage: {
        ...usageOf({ tokensIn: charge.tokensIn, tokensOut: charge.tokensOut, usageSource: charge.usageSource, status }),
        ...(charge.usageSource === "provider" ? reportedDetail : {}),
      },
      now: clock,
    });
    // The daily counter keeps what the hold still takes when the settle did not land.
    await settleGate(resolved ? resolved.charged : holdAmount);
    if (!resolved) {
      outcome.errorCode = outcome.errorCode ?? "settle_failed";
      return outcome;
    }
    outcome.planTokens = resolved.charged;
    if (resolved.usageId) outcome.usageId = resolved.usageId;
    if (input.reportBalance !== false) {
      try {
        const b = await getBalance(db, { walletId, now: clock() });
        outcome.balance = { available: b.available, held: b.held };
      } catch (e) {
        console.error("[completion] balance read failed", describeError(e));
      }
    }
    if (input.hooks?.afterSettle) {
      try {
        await input.hooks.afterSettle(outcome.planTokens, holdAmount);
      } catch (e) {
        console.error("[completion] afterSettle hook failed", describeError(e));
      }
    }
    return outcome;
  })();

  return {
    ok: true,
    holdId,
    ...(input.switchedFrom ? { switchedFrom: input.switchedFrom } : {}),
    cancel: () => {
      rec.cancelledByServer = true;
      queue.abandon();
      upstreamAbort.abort();
    },
    abandon: () => queue.abandon(),
    model: { id: model.id, name: model.name, weights: { inMicro: weights.inMicro, outMicro: weights.outMicro } },
    get route() {
      return { kind: route.kind, providerId: route.providerId, providerModelId: route.providerModelId };
    },
    promptTokens,
    maxOutputTokens,
    holdAmount,
    events: queue.iterable(),
    follow: (taker) => queue.follow(taker),
    opened: upstreamAccepted,
    timing,
    done,
  };
}
