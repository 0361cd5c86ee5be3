import { and, eq } from "drizzle-orm";
import type { Database } from "@/lib/db/types";
import { hold, usage } from "@/lib/db/schema";
import { getModel, resolveRoute } from "@/lib/catalog";
import { planTokens } from "@/lib/metering";
import { cycleOf } from "@/lib/core/cycle";
import { getBalance, recordProgress, release, reserve, settle, type UsageInput } from "@/lib/ledger";
import { computeCharge, holdFor } from "./charge";
import { DeltaQueue } from "./queue";
import { chatTokensUpperBound, countChatTokens, countTokens } from "./tokens";
import { defaultUpstream, type UpstreamCall } from "./upstream";
import { notifyAfterSettle } from "./alerts";
import type { CompletionOutcome, CompletionStatus, StartFailure, StartInput, StartResult, StartTiming } from "./types";
import { describeError } from "@/lib/core/errors";

/** Replies are capped at this many tokens unless the caller asks for another limit. */
export const DEFAULT_MAX_OUTPUT_TOKENS = 8192;
const DEFAULT_PROGRESS_MS = 1_000;
/** A stream that shows no output still proves it is alive this often (so its hold is not swept). */
const MAX_HEARTBEAT_MS = 10_000;
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
  refusedAt.set(walletId, Date.now());
}
function recentlyRefused(walletId: string): boolean {
  const t = refusedAt.get(walletId);
  if (t === undefined) return false;
  if (Date.now() - t <= REFUSED_MEMORY_MS) return true;
  refusedAt.delete(walletId);
  return false;
}

/** Resolves after pending I/O callbacks have run (writes already queued go out first). */
const afterIo = () => new Promise<void>((r) => setImmediate(r));

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
    return fail("duplicate_request", { inFlight: false, usageId: u.id, status: u.status, planTokens: u.planTokens.toString(), tokensIn: u.tokensIn, tokensOut: u.tokensOut });
  }
  const [h] = await db.select({ state: hold.state }).from(hold).where(eq(hold.idempotencyKey, `req:${rid}`)).limit(1);
  return fail("duplicate_request", { inFlight: h?.state === "open", status: h && h.state !== "open" ? "unknown" : undefined });
}

/**
 * The metered completion: size and reserve a hold (prompt × input weight + max output × output
 * weight), stream the reply as it arrives, then settle what the upstream really produced —
 * provider usage when reported, else the produced text and reasoning counted — and release the
 * rest. Once the upstream accepted the request its prompt is charged, even if the client leaves
 * before the first token; nothing is charged when it refuses or fails before producing output.
 * While the stream lives, progress notes keep its hold alive (the sweeper and support only take
 * holds with no progress for the TTL) and tell it when it must stop (its member was removed).
 */
export async function startMeteredCompletion(db: Database, input: StartInput & { upstream?: UpstreamCall }): Promise<StartResult> {
  const { config, userId, walletId } = input;
  const model = getModel(input.modelId, config.catalog);
  if (!model || model.hidden) return fail("unknown_model");
  const route = resolveRoute(model, { providerKey: config.providerKey, demoMode: config.demoMode, demoBaseUrl: config.demoBaseUrl });
  if (!route) return fail("model_unavailable");

  const context = model.limits.context > 0 ? model.limits.context : Number.MAX_SAFE_INTEGER;
  const outLimit = model.limits.output > 0 ? model.limits.output : DEFAULT_MAX_OUTPUT_TOKENS;
  const asked = input.maxOutputTokens ?? DEFAULT_MAX_OUTPUT_TOKENS;
  // When even the prompt's byte count leaves room for the reply limit, the prompt cannot be too
  // long and the limit sent upstream does not depend on its exact count: then the prompt is
  // counted once the upstream call is on its way (the hold needs the count, the call does not).
  const bound = chatTokensUpperBound(input.messages);
  const countLater = bound < context && Math.min(asked, outLimit) <= context - bound;
  let promptTokens = countLater ? 0 : countChatTokens(input.messages);
  if (promptTokens >= context) return fail("context_too_long", { promptTokens, context });
  const maxOutputTokens = Math.max(1, Math.min(asked, outLimit, context - promptTokens));
  const weights = model.weights;
  let holdAmount = countLater ? 0n : holdFor({ promptTokens, maxOutputTokens, weights });

  // ---- streaming state -------------------------------------------------------------------
  const clock = config.clock ?? (() => new Date());
  const progressEveryMs = config.progressEveryMs ?? DEFAULT_PROGRESS_MS;
  const upstreamAbort = new AbortController();
  /** Set once the reservation holds; text reaches the consumer only after that. */
  let holdId = "";
  const delivered: string[] = [];
  let deliveredChars = 0;
  let textChars = 0;
  /** Text and reasoning the upstream produced, delivered or not: what its provider bills. */
  const produced: string[] = [];
  /** The upstream accepted the request (response headers with success arrived). */
  let opened = false;
  /** The wallet asked this stream to stop (its member was removed). */
  let stopRequested = false;
  /** Our own side failed after starting (the caller cancelled): a failure of ours costs nothing. */
  let cancelledByServer = false;
  let reported: { tokensIn: number | null; tokensOut: number | null } | null = null;
  let upstreamError: { code: string; message?: string } | null = null;

  // Progress notes: what was produced so far (for whoever must resolve the hold if this process
  // dies), that the stream is alive (the hold's expiry moves forward), and whether it must stop.
  // The first output, then at most one per interval, plus a heartbeat while nothing comes;
  // chained so they land in order, and counted off the delta's path.
  const w = { weightInMicro: weights.inMicro, weightOutMicro: weights.outMicro };
  const heartbeatMs = config.heartbeatMs ?? Math.max(250, Math.min(MAX_HEARTBEAT_MS, Math.floor((config.holdTtlSeconds * 1000) / 4)));
  let progressChain: Promise<void> = Promise.resolve();
  let lastProgressAt = 0;
  /** Output arrived since the last note. */
  let unnoted = false;
  /** Tokens of the produced output as of the last note: an exact count of everything so far. */
  let countedOut = 0;
  const rid = usageRequestId(userId, input.requestId);
  const routeName = route.kind === "demo" ? "demo" : route.providerId;
  const usageOf = (c: { tokensIn: number; tokensOut: number; usageSource: UsageInput["usageSource"]; status: CompletionStatus }): UsageInput => ({
    requestId: rid,
    userId,
    modelId: model.id,
    providerRoute: routeName,
    conversationId: input.conversationId ?? null,
    apiKeyId: input.apiKeyId ?? null,
    tokensIn: c.tokensIn,
    tokensOut: c.tokensOut,
    weightInMicro: weights.inMicro,
    weightOutMicro: weights.outMicro,
    usageSource: c.usageSource,
    status: c.status,
  });
  const noteProgress = () => {
    if (!holdId) return;
    unnoted = false;
    lastProgressAt = Date.now();
    // Off the delta's path: the note is written after the text has gone out.
    progressChain = progressChain.then(afterIo).then(async () => {
      // The whole output so far, counted exactly (chunks counted apart would overcount).
      countedOut = Math.max(countedOut, countTokens(produced.join("")));
      const tokensIn = opened ? promptTokens : 0;
      let amount = planTokens({ tokensIn, tokensOut: countedOut, ...w });
      if (amount > holdAmount) amount = holdAmount;
      try {
        const note = await recordProgress(db, {
          holdId,
          amount,
          now: clock(),
          ttlSeconds: config.holdTtlSeconds,
          draft: usageOf({ tokensIn, tokensOut: countedOut, usageSource: "counted", status: "interrupted" }),
        });
        if (note.stop && !stopRequested) {
          stopRequested = true;
          upstreamAbort.abort();
        }
      } catch (err) {
        console.error("[pipeline] recordProgress failed", describeError(err));
      }
    });
  };
  const onOutput = () => {
    unnoted = true;
    if (Date.now() - lastProgressAt >= progressEveryMs) noteProgress();
  };

  const queue = new DeltaQueue(
    (text) => {
      delivered.push(text);
      deliveredChars += text.length;
    },
    () => {
      // The consumer left: stop the provider now (it stops generating, and billing, when the
      // call is closed); what it produced until then is charged.
      upstreamAbort.abort();
    },
  );
  if (input.signal) {
    if (input.signal.aborted) queue.abandon();
    else input.signal.addEventListener("abort", () => queue.abandon(), { once: true });
  }

  const upstream = input.upstream ?? defaultUpstream;
  let pumping = false;
  const timing: StartTiming = { upstreamAt: null, firstTextAt: null, reservedAt: 0 };
  let accepted!: () => void;
  const upstreamAccepted = new Promise<void>((r) => (accepted = r));
  let pumped: Promise<void> = Promise.resolve();
  const startPump = () => {
    pumping = true;
    timing.upstreamAt = performance.now();
    pumped = pump();
  };
  const pump = async () => {
    try {
      const onOpen = () => {
        opened = true;
        accepted();
      };
      for await (const ev of upstream({ route, messages: input.messages, maxOutputTokens, signal: upstreamAbort.signal, headers: config.upstreamHeaders, onOpen })) {
        if (ev.type === "reasoning") {
          // Reasoning is output the provider bills: produced, counted, never forwarded.
          produced.push(ev.text);
          if (holdId) onOutput();
          else unnoted = true;
        } else if (ev.type === "text") {
          timing.firstTextAt ??= performance.now();
          textChars += ev.text.length;
          produced.push(ev.text);
          if (holdId) onOutput();
          else unnoted = true;
          if (!queue.consumerGone) queue.push(ev.text);
        } else if (ev.type === "usage") {
          reported = { tokensIn: ev.tokensIn, tokensOut: ev.tokensOut };
          break;
        } else if (ev.type === "error") {
          upstreamError = { code: ev.error.code, message: ev.error.message };
          break;
        }
      }
    } catch (err) {
      upstreamError = { code: "upstream_error", message: String(err) };
    } finally {
      accepted();
      queue.end();
    }
  };
  if (!recentlyRefused(walletId)) startPump();
  if (countLater) {
    promptTokens = countChatTokens(input.messages);
    holdAmount = holdFor({ promptTokens, maxOutputTokens, weights });
  }

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
  try {
    // The hold is written while the provider works on the prompt: from the moment it accepted
    // the call (or failed) until its first token, so the two don't compete for the first
    // milliseconds. Text still waits for the hold.
    if (pumping) await upstreamAccepted;
    if (input.hooks?.beforeReserve) {
      const h = await input.hooks.beforeReserve(holdAmount);
      if (!h.ok) return await refused(fail(h.code, { holdAmount: holdAmount.toString() }));
    }
    reserved = await reserve(db, {
      walletId,
      userId,
      amount: holdAmount,
      idempotencyKey: `req:${rid}`,
      cycle: cycleOf(input.now),
      now: input.now,
      ttlSeconds: config.holdTtlSeconds,
    });
  } catch (e) {
    await stop();
    // Same key, other parameters (a retry with a different prompt): still the same request.
    if ((e as { code?: string }).code === "idempotency_conflict") return firstOutcome(db, userId, input.requestId);
    throw e;
  }
  if (!reserved.ok) {
    return refused(
      fail(reserved.code, {
        holdAmount: holdAmount.toString(),
        ...(reserved.available !== undefined ? { available: reserved.available.toString() } : {}),
        ...(reserved.capLeft !== undefined ? { capLeft: reserved.capLeft.toString() } : {}),
      }),
    );
  }
  if (reserved.replayed) return refused(await firstOutcome(db, userId, input.requestId));
  holdId = reserved.holdId;
  timing.reservedAt = performance.now();
  refusedAt.delete(walletId);
  if (!pumping) startPump();
  if (unnoted) noteProgress();
  const heartbeat = setInterval(() => {
    if (Date.now() - lastProgressAt >= heartbeatMs) noteProgress();
  }, heartbeatMs);
  heartbeat.unref?.();

  const done = (async (): Promise<CompletionOutcome> => {
    await pumped;
    clearInterval(heartbeat);
    // Settle only once the consumer has taken what it will take (or left).
    let graceTimer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([queue.finished, new Promise<void>((r) => (graceTimer = setTimeout(r, CONSUMER_GRACE_MS)))]);
    clearTimeout(graceTimer);
    if (!queue.consumerGone && deliveredChars < textChars) queue.abandon();
    const gone = queue.consumerGone;

    const producedText = produced.join("");
    const r = reported as { tokensIn: number | null; tokensOut: number | null } | null;
    const providerUsage =
      r && (r.tokensIn !== null || r.tokensOut !== null)
        ? { tokensIn: r.tokensIn ?? promptTokens, tokensOut: r.tokensOut ?? countTokens(producedText) }
        : null;
    const err = upstreamError as { code: string; message?: string } | null;
    // An error after we aborted the call ourselves (client gone, stop) is not the upstream's failure.
    const upstreamFailed = err !== null && !upstreamAbort.signal.aborted;
    const status: CompletionStatus = cancelledByServer
      ? "error"
      : gone
      ? "aborted"
      : stopRequested
        ? "interrupted"
        : err
          ? deliveredChars > 0 || producedText.length > 0
            ? "interrupted"
            : "error"
          : "ok";
    // The whole output counted once more; the charge never falls below a note.
    await progressChain;
    countedOut = Math.max(countedOut, countTokens(producedText));
    const charge = computeCharge({
      // When our own side failed before anything was delivered, the user is not charged.
      accepted: opened && !(cancelledByServer && deliveredChars === 0),
      failedBeforeOutput: upstreamFailed && producedText.length === 0,
      promptTokens,
      producedText,
      producedTokens: countedOut,
      providerUsage,
      trustZero: route.kind !== "demo",
      weights,
      holdAmount,
    });
    const usageInput = usageOf({ tokensIn: charge.tokensIn, tokensOut: charge.tokensOut, usageSource: charge.usageSource, status });
    await progressChain;
    const outcome: CompletionOutcome = {
      status,
      tokensIn: charge.tokensIn,
      tokensOut: charge.tokensOut,
      planTokens: charge.planTokens,
      usageSource: charge.usageSource,
      held: holdAmount,
      ...(cancelledByServer ? { errorCode: "internal" } : stopRequested ? { errorCode: "member_removed" } : err && status !== "aborted" ? { errorCode: err.code } : {}),
    };
    // Resolve now, whatever happened: a database hiccup is retried; only if it persists is the
    // hold left (with its recorded progress and usage draft) to the sweeper.
    for (let attempt = 1; ; attempt++) {
      try {
        const now = clock();
        const res =
          charge.planTokens > 0n
            ? await settle(db, { holdId, amount: charge.planTokens, usage: usageInput, now })
            : await release(db, { holdId, usage: usageInput, now });
        outcome.planTokens = res.charged;
        if (res.usageId) outcome.usageId = res.usageId;
        break;
      } catch (e) {
        console.error("[pipeline] settle failed", describeError(e));
        if (attempt >= SETTLE_ATTEMPTS) {
          outcome.errorCode = outcome.errorCode ?? "settle_failed";
          return outcome;
        }
        await new Promise((res) => setTimeout(res, 100 * 4 ** attempt));
      }
    }
    if (input.reportBalance !== false) {
      try {
        const b = await getBalance(db, { walletId, now: clock() });
        outcome.balance = { available: b.available, held: b.held };
      } catch (e) {
        console.error("[pipeline] balance read failed", describeError(e));
      }
    }
    if (input.hooks?.afterSettle) {
      try {
        await input.hooks.afterSettle(outcome.planTokens, holdAmount);
      } catch (e) {
        console.error("[pipeline] afterSettle hook failed", describeError(e));
      }
    }
    notifyAfterSettle(db, { walletId, now: clock() });
    return outcome;
  })();

  return {
    ok: true,
    holdId,
    cancel: () => {
      cancelledByServer = true;
      queue.abandon();
      upstreamAbort.abort();
    },
    model: { id: model.id, name: model.name, weights: { inMicro: weights.inMicro, outMicro: weights.outMicro } },
    route: { kind: route.kind, providerId: route.providerId, providerModelId: route.providerModelId },
    promptTokens,
    maxOutputTokens,
    holdAmount,
    events: queue.iterable(),
    opened: upstreamAccepted,
    timing,
    done,
  };
}
