import { and, asc, eq, lte, sql } from "drizzle-orm";
import type { Database } from "@/lib/db/types";
import { hold } from "@/lib/db/schema";
import { queryNamed } from "@/lib/db/sql";
import { HoldLiveError, HoldNotFoundError, IdempotencyConflictError, InvalidAmountError, WalletNotFoundError } from "./errors";
import { big, pgCode } from "./internal";
import { HoldWalletHints, KeyedBatcher } from "./batch";

export type ReserveInput = {
  walletId: string;
  userId: string;
  amount: bigint;
  idempotencyKey: string;
  /** The bill cycle the hold (and its usage) belongs to, "YYYY-MM". */
  cycle: string;
  now: Date;
  ttlSeconds: number;
  /** Set false to send this request alone instead of batching it with concurrent ones. */
  batch?: boolean;
  /**
   * Count the request against a shared rate window (the `rate_limit_window` row `key`, `limit`
   * requests per `windowMs`) in the same call, before the hold: over the limit, nothing is held
   * (`rate_limited`). Batched like any reserve: the window's row is counted in the batch's
   * transaction, so a batch that fails (and is retried one by one) counts nothing.
   */
  rate?: RateCount;
};

/** A request counted against a shared rate window, as lib/apikeys's PgWindowLimiter counts it. */
export type RateCount = { key: string; limit: number; windowMs: number };
/** The window's count after this request and the time until the window ends. */
export type RateCounted = { count: number; resetMs: number };

export type ReserveResult = (
  | { ok: true; holdId: string; amount: bigint; replayed: boolean }
  | { ok: false; code: "insufficient_balance" | "cap_reached" | "member_paused" | "not_member" | "rate_limited"; available?: bigint; capLeft?: bigint }
) & { rate?: RateCounted };

type ReserveRow = {
  code: string;
  hold_id: string | null;
  amount: string | null;
  replayed: boolean;
  available: string | null;
  cap_left: string | null;
  rate_count?: number | null;
  rate_reset_ms?: number | null;
};

/**
 * Sets `amount` tokens aside for one request. One statement, one transaction: the wallet row is
 * locked, the member's cap and the balance are checked, and wallet, buckets (in consumption
 * order), member spend, hold and entry are written together — or nothing is.
 */
export async function reserve(db: Database, input: ReserveInput): Promise<ReserveResult> {
  if (input.amount <= 0n) throw new InvalidAmountError("reserve amount must be positive");
  const row = input.batch === false ? await reserveOne(db, input) : ((await batcherOf(db).submit(QUEUE, { op: "reserve", input })) as ReserveRow);
  const r = reserveResult(input, row);
  return input.rate ? { ...r, rate: { count: Number(row.rate_count), resetMs: Number(row.rate_reset_ms) } } : r;
}

function reserveResult(input: ReserveInput, row: ReserveRow): ReserveResult {
  switch (row.code) {
    case "ok":
      hints.set(row.hold_id!, input.walletId);
      return { ok: true, holdId: row.hold_id!, amount: big(row.amount), replayed: row.replayed };
    case "rate_limited":
      return { ok: false, code: "rate_limited" };
    case "idempotency_conflict":
      throw new IdempotencyConflictError(input.idempotencyKey);
    case "wallet_not_found":
      throw new WalletNotFoundError(input.walletId);
    case "insufficient_balance":
      return { ok: false, code: "insufficient_balance", available: big(row.available) };
    case "cap_reached":
      return { ok: false, code: "cap_reached", available: big(row.available), capLeft: big(row.cap_left) };
    case "member_paused":
    case "not_member":
      return { ok: false, code: row.code };
    default:
      throw new Error(`ledger_reserve: unknown code ${row.code}`);
  }
}

const RESERVE_SQL = `select code, hold_id, amount, replayed, available, cap_left
  from ledger_reserve($1::uuid, $2::uuid, $3::bigint, $4, $5, $6::timestamptz, $7::int)`;
const RESERVE_COUNTED_SQL = `select rate_count, rate_reset_ms, code, hold_id, amount, replayed, available, cap_left
  from ledger_reserve_counted($1, $2::int, $3::float8, $4::uuid, $5::uuid, $6::bigint, $7, $8, $9::timestamptz, $10::int)`;
const RESOLVE_SQL = `select outcome, state, charged, amount, usage_id from ledger_resolve($1::uuid, $2::bigint, $3::jsonb, $4::uuid, $5, $6::timestamptz, $7::boolean)`;
const APPLY_MANY_SQL = `select i, code, hold_id, amount, replayed, available, cap_left, outcome, state, charged, usage_id, rate_count, rate_reset_ms
  from ledger_apply_many($1::jsonb)`;

async function reserveOne(db: Database, input: ReserveInput): Promise<ReserveRow> {
  const values = [
    input.walletId,
    input.userId,
    input.amount.toString(),
    input.idempotencyKey,
    input.cycle,
    input.now.toISOString(),
    Math.max(1, Math.trunc(input.ttlSeconds)),
  ];
  const rate = input.rate;
  if (rate) values.unshift(rate.key, rate.limit, rate.windowMs / 1000);
  for (let attempt = 0; ; attempt++) {
    try {
      const [row] = rate
        ? await queryNamed<ReserveRow>(db, "ledger_reserve_counted", RESERVE_COUNTED_SQL, values)
        : await queryNamed<ReserveRow>(db, "ledger_reserve", RESERVE_SQL, values);
      if (!row) throw new Error("ledger_reserve returned nothing");
      return row;
    } catch (e) {
      // Two first calls with one key: the loser hits the unique key and retries as a replay.
      if (attempt === 0 && pgCode(e) === "23505") continue;
      throw e;
    }
  }
}

type ResolveRequest = {
  holdId: string;
  amount: bigint | null;
  usage?: UsageInput;
  actorUserId?: string | null;
  reason?: string | null;
  /** The caller's clock: bucket expiry for a late charge, the staleness cutoff. Default: the database's. */
  now?: Date;
  /** A resolution for a request that is gone: only a hold with no progress for its TTL, from what it recorded. */
  stale?: boolean;
};

function resolveCall(r: ResolveRequest) {
  return {
    holdId: r.holdId,
    amount: r.amount === null ? null : r.amount.toString(),
    usage: usageJson(r.usage),
    actor: r.actorUserId ?? null,
    reason: r.reason ?? null,
    now: r.now ? r.now.toISOString() : null,
    stale: r.stale === true,
  };
}

async function resolveOne(db: Database, r: ResolveRequest): Promise<ResolveRow> {
  const c = resolveCall(r);
  const [row] = await queryNamed<ResolveRow>(db, "ledger_resolve", RESOLVE_SQL, [
    c.holdId,
    c.amount,
    c.usage === null ? null : JSON.stringify(c.usage),
    c.actor,
    c.reason,
    c.now,
    c.stale,
  ]);
  if (!row) throw new Error("ledger_resolve returned nothing");
  return row;
}

type Op = { op: "reserve"; input: ReserveInput } | { op: "resolve"; walletId: string; request: ResolveRequest };
type ApplyRow = ReserveRow & Omit<ResolveRow, "amount"> & { i: number };

function reserveCall(i: ReserveInput) {
  const call = {
    op: "reserve",
    walletId: i.walletId,
    userId: i.userId,
    amount: i.amount.toString(),
    key: i.idempotencyKey,
    cycle: i.cycle,
    now: i.now.toISOString(),
    ttl: Math.max(1, Math.trunc(i.ttlSeconds)),
  };
  return i.rate ? { ...call, rateKey: i.rate.key, rateLimit: i.rate.limit, rateWindowSecs: i.rate.windowMs / 1000 } : call;
}

/** Reserves and resolutions in one call, one transaction, in the order given. */
async function applyMany(db: Database, ops: Op[]): Promise<(ReserveRow | ResolveRow)[]> {
  const payload = ops.map((o) => (o.op === "reserve" ? reserveCall(o.input) : { op: "resolve", ...resolveCall(o.request) }));
  const rows = await queryNamed<ApplyRow>(db, "ledger_apply_many", APPLY_MANY_SQL, [JSON.stringify(payload)]);
  if (rows.length !== ops.length) throw new Error("ledger_apply_many: result count mismatch");
  rows.sort((a, b) => a.i - b.i);
  return rows.map((r, k) =>
    ops[k]!.op === "reserve"
      ? {
          code: r.code,
          hold_id: r.hold_id,
          amount: r.amount,
          replayed: r.replayed,
          available: r.available,
          cap_left: r.cap_left,
          rate_count: r.rate_count,
          rate_reset_ms: r.rate_reset_ms,
        }
      : { outcome: r.outcome, state: r.state, charged: r.charged, amount: r.amount, usage_id: r.usage_id },
  );
}

/**
 * One batch queue per process for reserves and settles alike: under load each batch carries
 * every request that arrived while the previous one was in flight, so one call and one commit
 * serve them all; a request that arrives meanwhile waits one round trip (a wallet row stays
 * locked only for one function call). A batch takes its wallets' locks in ascending wallet
 * order, as every batch does, so batches of different processes cannot deadlock; should the
 * database still abort one, its requests are retried one by one.
 */
const QUEUE = "ledger";

/** Runs `many` on the inputs sorted by wallet (stable), and returns results in input order. */
async function inWalletOrder<I, R>(inputs: I[], walletOf: (i: I) => string, many: (sorted: I[]) => Promise<R[]>): Promise<R[]> {
  const order = inputs
    .map((input, i) => ({ input, i }))
    .sort((a, b) => (walletOf(a.input) < walletOf(b.input) ? -1 : walletOf(a.input) > walletOf(b.input) ? 1 : a.i - b.i));
  const results = await many(order.map((o) => o.input));
  const out = new Array<R>(inputs.length);
  order.forEach((o, k) => (out[o.i] = results[k]));
  return out;
}

const hints = new HoldWalletHints();
const batchers = new WeakMap<Database, KeyedBatcher<Op, ReserveRow | ResolveRow>>();
function batcherOf(db: Database) {
  let b = batchers.get(db);
  if (!b) {
    b = new KeyedBatcher<Op, ReserveRow | ResolveRow>(
      (o) => (o.op === "reserve" ? reserveOne(db, o.input) : resolveOne(db, o.request)),
      (ops) =>
        inWalletOrder(
          ops,
          (o) => (o.op === "reserve" ? o.input.walletId : o.walletId),
          (sorted) => applyMany(db, sorted),
        ),
    );
    batchers.set(db, b);
  }
  return b;
}

export type UsageInput = {
  requestId: string;
  userId: string;
  modelId: string;
  providerRoute: string;
  conversationId?: string | null;
  apiKeyId?: string | null;
  tokensIn: number;
  tokensOut: number;
  weightInMicro: bigint;
  weightOutMicro: bigint;
  usageSource: "provider" | "counted" | "none";
  status: "ok" | "interrupted" | "aborted" | "error";
  /** The routes tried, in order (the usage row's route_attempts). */
  routeAttempts?: { provider: string; outcome: string; ms: number; status?: number }[];
  /** Of tokensIn, served from the provider's prompt cache, when it said (usage.tokens_cached). */
  tokensCached?: number | null;
  /** Of tokensOut, spent reasoning, when the provider said (usage.tokens_reasoning). */
  tokensReasoning?: number | null;
};

export type ResolveResult = {
  /**
   * resolved: this call resolved the hold; already: it was resolved before (a replay, or lost to
   * the other kind); late: a settle that found its hold resolved by someone else and charged the
   * difference; live: a stale resolution refused because the stream still shows progress.
   */
  outcome: "resolved" | "already" | "late" | "live";
  /** Tokens charged for the hold in all (its resolution plus any late charge). */
  charged: bigint;
  /** True when the hold had already been resolved before this call. */
  replayed: boolean;
  /** How the hold ended ("open" only when a stale resolution found it live). */
  state: "settled" | "released" | "open";
  /** True when this call lost to an earlier resolution of the other kind (settle vs release). */
  lost: boolean;
  /** The amount asked to settle was above the hold and was clamped to it. */
  clamped: boolean;
  usageId?: string;
};

type ResolveRow = { outcome: string; state: "settled" | "released" | "open" | null; charged: string | null; amount: string | null; usage_id: string | null };

function usageJson(u: UsageInput | undefined): Record<string, unknown> | null {
  if (!u) return null;
  if (!Number.isSafeInteger(u.tokensIn) || !Number.isSafeInteger(u.tokensOut) || u.tokensIn < 0 || u.tokensOut < 0) {
    throw new InvalidAmountError("usage tokens must be non-negative integers");
  }
  return {
    ...u,
    conversationId: u.conversationId ?? null,
    apiKeyId: u.apiKeyId ?? null,
    weightInMicro: u.weightInMicro.toString(),
    weightOutMicro: u.weightOutMicro.toString(),
  };
}

async function resolveHold(db: Database, request: ResolveRequest): Promise<ResolveResult> {
  const { holdId, amount } = request;
  if (amount !== null && amount < 0n) throw new InvalidAmountError("settle amount must not be negative");
  // Holds reserved in this process batch per wallet; others go out alone.
  const walletId = hints.take(holdId);
  const row = walletId ? ((await batcherOf(db).submit(QUEUE, { op: "resolve", walletId, request })) as ResolveRow) : await resolveOne(db, request);
  if (row.outcome === "not_found") throw new HoldNotFoundError(holdId);
  const state = row.state as "settled" | "released" | "open";
  const wanted = amount === null ? "released" : "settled";
  const holdAmount = big(row.amount);
  // A stale resolution that found the hold live did nothing: the hold stays with its process.
  if (row.outcome === "live" && walletId) hints.set(holdId, walletId);
  return {
    outcome: row.outcome as ResolveResult["outcome"],
    charged: big(row.charged),
    replayed: row.outcome === "already" || row.outcome === "late",
    state,
    lost: (row.outcome === "already" || row.outcome === "late") && state !== wanted,
    clamped: amount !== null && amount > holdAmount,
    ...(row.usage_id ? { usageId: row.usage_id } : {}),
  };
}

/**
 * Settles a hold for what was used: charges min(amount, hold) to the buckets in consumption
 * order, returns the rest to the buckets it came from, and records the usage row on the payer's
 * bill — all in one transaction. A hold resolves exactly once; a settle (with usage) that finds
 * it already resolved by someone else still charges what was produced beyond that resolution,
 * from the wallet's available tokens, and records any shortfall (outcome "late").
 */
export async function settle(
  db: Database,
  input: { holdId: string; amount: bigint; usage?: UsageInput; actorUserId?: string; reason?: string; now?: Date },
): Promise<ResolveResult> {
  return resolveHold(db, input);
}

/** Releases a hold in full (nothing delivered). A hold resolves exactly once. */
export async function release(
  db: Database,
  input: { holdId: string; usage?: UsageInput; actorUserId?: string; reason?: string; now?: Date },
): Promise<ResolveResult> {
  return resolveHold(db, { ...input, amount: null });
}

/**
 * Support: resolves a stuck hold (no progress for its TTL), recording who and why: settled for
 * what its stream recorded, else released. A hold whose stream still shows progress is refused.
 */
export async function releaseHold(db: Database, input: { holdId: string; actorUserId: string; reason: string; now?: Date }): Promise<ResolveResult> {
  const r = await resolveHold(db, {
    holdId: input.holdId,
    amount: null,
    actorUserId: input.actorUserId,
    reason: input.reason,
    now: input.now ?? new Date(),
    stale: true,
  });
  if (r.outcome === "live") throw new HoldLiveError(input.holdId);
  return r;
}

export type ProgressNote = {
  holdId: string;
  /** Plan tokens produced so far (never goes backwards, never above the hold). */
  amount: bigint;
  /** With ttlSeconds: the hold lives until now + ttl (a live stream keeps its hold). */
  now?: Date;
  ttlSeconds?: number;
  /** The usage row as of this note, written by whoever resolves the hold if the stream cannot. */
  draft: UsageInput;
};

/**
 * Notes what a stream has produced so far and that it is alive: the hold's expiry moves to
 * now + ttl, so the sweeper and support leave it alone. Returns whether the stream was asked to
 * stop (its member was removed) — the stream then ends and settles for what was produced.
 */
export async function recordProgress(db: Database, { holdId, amount, now, ttlSeconds, draft }: ProgressNote): Promise<{ open: boolean; stop: boolean }> {
  if (amount < 0n) throw new InvalidAmountError("progress must not be negative");
  const rows = await db
    .update(hold)
    .set({
      recordedAmount: sql`least(${hold.amount}, greatest(coalesce(${hold.recordedAmount}, 0), ${amount.toString()}::bigint))`,
      ...(now && ttlSeconds ? { expiresAt: sql`greatest(${hold.expiresAt}, ${new Date(now.getTime() + ttlSeconds * 1000).toISOString()}::timestamptz)` } : {}),
      usageDraft: usageJson(draft),
    })
    .where(and(eq(hold.id, holdId), eq(hold.state, "open")))
    .returning({ stopRequestedAt: hold.stopRequestedAt });
  return { open: rows.length === 1, stop: rows[0]?.stopRequestedAt != null };
}

/**
 * Resolves an open hold whose request is gone, as the rules say: settle what its stream
 * recorded, else release — only if it showed no progress for its TTL (outcome "live" otherwise).
 */
export async function resolveAbandoned(db: Database, h: { id: string }, reason: string, now: Date): Promise<ResolveResult> {
  return resolveHold(db, { holdId: h.id, amount: null, reason, now, stale: true });
}

/**
 * Resolves holds whose stream showed no progress for their TTL (a crashed request): settled from
 * the recorded usage, else released. Each hold in its own transaction; a hold whose stream
 * shows progress meanwhile is left alone (counted as skipped). Safe with N instances sweeping at
 * once: each takes the hold's wallet with FOR NO KEY UPDATE SKIP LOCKED first (the ledger's lock
 * order, wallet before hold), so a wallet another sweeper or live traffic holds is skipped for
 * this round instead of waited on, and no two sweepers resolve the same hold.
 */
export async function sweepHolds(
  db: Database,
  { now, limit = 1000 }: { now: Date; limit?: number },
): Promise<{ settled: number; released: number; skipped: number }> {
  const due = await db
    .select({ id: hold.id, walletId: hold.walletId })
    .from(hold)
    .where(and(eq(hold.state, "open"), lte(hold.expiresAt, now)))
    .orderBy(asc(hold.expiresAt))
    .limit(limit);
  const out = { settled: 0, released: 0, skipped: 0 };
  for (const h of due) {
    const r = await db.transaction(async (tx) => {
      const claimed = await tx.execute(sql`SELECT 1 FROM wallet WHERE id = ${h.walletId} FOR NO KEY UPDATE SKIP LOCKED`);
      const rows = Array.isArray(claimed) ? claimed : ((claimed as { rows?: unknown[] }).rows ?? []);
      if (rows.length === 0) return null;
      return resolveAbandoned(tx as unknown as Database, { id: h.id }, "hold expired", now);
    });
    if (!r || r.outcome !== "resolved") out.skipped++;
    else if (r.state === "settled") out.settled++;
    else out.released++;
  }
  return out;
}
