import { and, eq } from "drizzle-orm";
import type { Database } from "@/lib/db/types";
import { hold, usage } from "@/lib/db/schema";
import { getModel, resolveRoute } from "@/lib/catalog";
import { planTokens } from "@/lib/metering";
import { cycleOf } from "@/lib/billing/cycle";
import { getBalance, recordProgress, release, reserve, settle, type UsageInput } from "@/lib/ledger";
import { computeCharge, holdFor } from "./charge";
import { DeltaQueue } from "./queue";
import { chatTokensUpperBound, countChatTokens, countTokens } from "./tokens";
import { defaultUpstream, type UpstreamCall } from "./upstream";
import { notifyAfterSettle } from "./alerts";
import type { CompletionOutcome, CompletionStatus, StartFailure, StartInput, StartResult, StartTiming } from "./types";

/** Replies are capped at this many tokens unless the caller asks for another limit. */
export const DEFAULT_MAX_OUTPUT_TOKENS = 8192;
const DEFAULT_DRAIN = { ms: 10_000, chars: 16_000 };
const DEFAULT_PROGRESS_MS = 1_000;
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
 * weight) before any upstream call, stream the reply as it arrives, then settle what was really
 * used — provider usage when reported, else the delivered text counted — and release the rest.
 * A hold resolves exactly once: here, or by the sweeper from the recorded progress after a crash.
 * Charge > 0 exactly when text was delivered (unless the provider explicitly reports zero).
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
  const drain = config.drain ?? DEFAULT_DRAIN;
  const progressEveryMs = config.progressEveryMs ?? DEFAULT_PROGRESS_MS;
  const upstreamAbort = new AbortController();
  /** Set once the reservation holds; text reaches the consumer only after that. */
  let holdId = "";
  const delivered: string[] = [];
  let deliveredChars = 0;
  let receivedChars = 0;
  let reported: { tokensIn: number | null; tokensOut: number | null } | null = null;
  let upstreamError: { code: string; message?: string } | null = null;
  let drainTimer: ReturnType<typeof setTimeout> | undefined;

  // Progress notes for the sweeper: the first delta, then at most one per interval, chained
  // so they land in order and counted off the delta's path.
  const w = { weightInMicro: weights.inMicro, weightOutMicro: weights.outMicro };
  let progressChain: Promise<void> = Promise.resolve();
  let lastProgressAt = 0;
  let uncounted = "";
  let countedOut = 0;
  const noteProgress = () => {
    const text = uncounted;
    uncounted = "";
    // Off the delta's path: the note is written after the text has gone out.
    progressChain = progressChain.then(afterIo).then(async () => {
      countedOut += countTokens(text);
      let amount = planTokens({ tokensIn: promptTokens, tokensOut: countedOut, ...w });
      if (amount > holdAmount) amount = holdAmount;
      try {
        await recordProgress(db, { holdId, amount });
      } catch (err) {
        console.error("[pipeline] recordProgress failed", err);
      }
    });
  };

  const queue = new DeltaQueue(
    (text) => {
      delivered.push(text);
      deliveredChars += text.length;
      uncounted += text;
      const t = Date.now();
      if (t - lastProgressAt >= progressEveryMs) {
        lastProgressAt = t;
        noteProgress();
      }
    },
    () => {
      // The consumer left. Nothing delivered: stop now. Else keep reading (bounded) for the usage.
      if (deliveredChars === 0) upstreamAbort.abort();
      else drainTimer = setTimeout(() => upstreamAbort.abort(), drain.ms);
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
      for await (const ev of upstream({ route, messages: input.messages, maxOutputTokens, signal: upstreamAbort.signal, headers: config.upstreamHeaders, onOpen: accepted })) {
        if (ev.type === "text") {
          timing.firstTextAt ??= performance.now();
          receivedChars += ev.text.length;
          if (queue.consumerGone) {
            if (receivedChars - deliveredChars > drain.chars) {
              upstreamAbort.abort();
              break;
            }
          } else queue.push(ev.text);
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
      clearTimeout(drainTimer);
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
  const rid = usageRequestId(userId, input.requestId);
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

  const done = (async (): Promise<CompletionOutcome> => {
    await pumped;
    // Settle only once the consumer has taken what it will take (or left).
    let graceTimer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([queue.finished, new Promise<void>((r) => (graceTimer = setTimeout(r, CONSUMER_GRACE_MS)))]);
    clearTimeout(graceTimer);
    if (!queue.consumerGone && deliveredChars < receivedChars) queue.abandon();
    const gone = queue.consumerGone;

    const deliveredText = delivered.join("");
    const r = reported as { tokensIn: number | null; tokensOut: number | null } | null;
    const providerUsage =
      r && (r.tokensIn !== null || r.tokensOut !== null)
        ? { tokensIn: r.tokensIn ?? promptTokens, tokensOut: r.tokensOut ?? countTokens(deliveredText) }
        : null;
    const err = upstreamError as { code: string; message?: string } | null;
    const status: CompletionStatus = gone
      ? "aborted"
      : err
        ? deliveredChars > 0
          ? "interrupted"
          : "error"
        : "ok";
    // After an abort or a failure, a usage report (if one still came) covers the whole reply.
    const charge = computeCharge({
      promptTokens,
      deliveredText,
      receivedChars,
      providerUsage: status === "ok" || status === "aborted" ? providerUsage : null,
      weights,
      holdAmount,
    });
    const usageInput: UsageInput = {
      requestId: rid,
      userId,
      modelId: model.id,
      providerRoute: route.kind === "demo" ? "demo" : route.providerId,
      conversationId: input.conversationId ?? null,
      apiKeyId: input.apiKeyId ?? null,
      tokensIn: charge.tokensIn,
      tokensOut: charge.tokensOut,
      weightInMicro: weights.inMicro,
      weightOutMicro: weights.outMicro,
      usageSource: charge.usageSource,
      status,
    };
    await progressChain;
    const outcome: CompletionOutcome = {
      status,
      tokensIn: charge.tokensIn,
      tokensOut: charge.tokensOut,
      planTokens: charge.planTokens,
      usageSource: charge.usageSource,
      held: holdAmount,
      ...(err && status !== "aborted" ? { errorCode: err.code } : {}),
    };
    try {
      const res = charge.planTokens > 0n ? await settle(db, { holdId, amount: charge.planTokens, usage: usageInput }) : await release(db, { holdId, usage: usageInput });
      outcome.planTokens = res.charged;
      if (res.usageId) outcome.usageId = res.usageId;
    } catch (e) {
      // The hold stays open with its recorded progress; the sweeper resolves it.
      console.error("[pipeline] settle failed", e);
      outcome.errorCode = outcome.errorCode ?? "settle_failed";
      return outcome;
    }
    if (input.reportBalance !== false) {
      try {
        const b = await getBalance(db, { walletId, now: clock() });
        outcome.balance = { available: b.available, held: b.held };
      } catch (e) {
        console.error("[pipeline] balance read failed", e);
      }
    }
    if (input.hooks?.afterSettle) {
      try {
        await input.hooks.afterSettle(outcome.planTokens, holdAmount);
      } catch (e) {
        console.error("[pipeline] afterSettle hook failed", e);
      }
    }
    notifyAfterSettle(db, { walletId, now: clock() });
    return outcome;
  })();

  return {
    ok: true,
    holdId,
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
