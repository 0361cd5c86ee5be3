import { and, asc, eq, lte, sql } from "drizzle-orm";
import type { Database } from "@/lib/db/types";
import { hold } from "@/lib/db/schema";
import { queryNamed } from "@/lib/db/sql";
import { HoldNotFoundError, IdempotencyConflictError, InvalidAmountError, WalletNotFoundError } from "./errors";
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
};

export type ReserveResult =
  | { ok: true; holdId: string; amount: bigint; replayed: boolean }
  | { ok: false; code: "insufficient_balance" | "cap_reached" | "member_paused" | "not_member"; available?: bigint; capLeft?: bigint };

type ReserveRow = { code: string; hold_id: string | null; amount: string | null; replayed: boolean; available: string | null; cap_left: string | null };

/**
 * Sets `amount` tokens aside for one request. One statement, one transaction: the wallet row is
 * locked, the member's cap and the balance are checked, and wallet, buckets (in consumption
 * order), member spend, hold and entry are written together — or nothing is.
 */
export async function reserve(db: Database, input: ReserveInput): Promise<ReserveResult> {
  if (input.amount <= 0n) throw new InvalidAmountError("reserve amount must be positive");
  const row = input.batch === false ? await reserveOne(db, input) : ((await batcherOf(db).submit(QUEUE, { op: "reserve", input })) as ReserveRow);
  switch (row.code) {
    case "ok":
      hints.set(row.hold_id!, input.walletId);
      return { ok: true, holdId: row.hold_id!, amount: big(row.amount), replayed: row.replayed };
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
const RESOLVE_SQL = `select outcome, state, charged, amount, usage_id from ledger_resolve($1::uuid, $2::bigint, $3::jsonb, $4::uuid, $5)`;
const APPLY_MANY_SQL = `select i, code, hold_id, amount, replayed, available, cap_left, outcome, state, charged, usage_id from ledger_apply_many($1::jsonb)`;

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
  for (let attempt = 0; ; attempt++) {
    try {
      const [row] = await queryNamed<ReserveRow>(db, "ledger_reserve", RESERVE_SQL, values);
      if (!row) throw new Error("ledger_reserve returned nothing");
      return row;
    } catch (e) {
      // Two first calls with one key: the loser hits the unique key and retries as a replay.
      if (attempt === 0 && pgCode(e) === "23505") continue;
      throw e;
    }
  }
}

type ResolveRequest = { holdId: string; amount: bigint | null; usage?: UsageInput; actorUserId?: string | null; reason?: string | null };

function resolveCall(r: ResolveRequest) {
  return {
    holdId: r.holdId,
    amount: r.amount === null ? null : r.amount.toString(),
    usage: usageJson(r.usage),
    actor: r.actorUserId ?? null,
    reason: r.reason ?? null,
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
  ]);
  if (!row) throw new Error("ledger_resolve returned nothing");
  return row;
}

type Op = { op: "reserve"; input: ReserveInput } | { op: "resolve"; walletId: string; request: ResolveRequest };
type ApplyRow = ReserveRow & Omit<ResolveRow, "amount"> & { i: number };

function reserveCall(i: ReserveInput) {
  return {
    op: "reserve",
    walletId: i.walletId,
    userId: i.userId,
    amount: i.amount.toString(),
    key: i.idempotencyKey,
    cycle: i.cycle,
    now: i.now.toISOString(),
    ttl: Math.max(1, Math.trunc(i.ttlSeconds)),
  };
}

/** Reserves and resolutions in one call, one transaction, in the order given. */
async function applyMany(db: Database, ops: Op[]): Promise<(ReserveRow | ResolveRow)[]> {
  const payload = ops.map((o) => (o.op === "reserve" ? reserveCall(o.input) : { op: "resolve", ...resolveCall(o.request) }));
  const rows = await queryNamed<ApplyRow>(db, "ledger_apply_many", APPLY_MANY_SQL, [JSON.stringify(payload)]);
  if (rows.length !== ops.length) throw new Error("ledger_apply_many: result count mismatch");
  rows.sort((a, b) => a.i - b.i);
  return rows.map((r, k) =>
    ops[k]!.op === "reserve"
      ? { code: r.code, hold_id: r.hold_id, amount: r.amount, replayed: r.replayed, available: r.available, cap_left: r.cap_left }
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
  const order = inputs.map((input, i) => ({ input, i })).sort((a, b) => (walletOf(a.input) < walletOf(b.input) ? -1 : walletOf(a.input) > walletOf(b.input) ? 1 : a.i - b.i));
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
      (ops) => inWalletOrder(ops, (o) => (o.op === "reserve" ? o.input.walletId : o.walletId), (sorted) => applyMany(db, sorted)),
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
};

export type ResolveResult = {
  /** Tokens charged by the hold's resolution (the winner's, on a replay). */
  charged: bigint;
  /** True when the hold had already been resolved before this call. */
  replayed: boolean;
  /** How the hold ended. */
  state: "settled" | "released";
  /** True when this call lost to an earlier resolution of the other kind (settle vs release). */
  lost: boolean;
  /** The amount asked to settle was above the hold and was clamped to it. */
  clamped: boolean;
  usageId?: string;
};

type ResolveRow = { outcome: string; state: "settled" | "released" | null; charged: string | null; amount: string | null; usage_id: string | null };

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

async function resolveHold(
  db: Database,
  { holdId, amount, usage, actorUserId, reason }: { holdId: string; amount: bigint | null; usage?: UsageInput; actorUserId?: string | null; reason?: string | null },
): Promise<ResolveResult> {
  if (amount !== null && amount < 0n) throw new InvalidAmountError("settle amount must not be negative");
  const request: ResolveRequest = { holdId, amount, usage, actorUserId, reason };
  // Holds reserved in this process batch per wallet; others go out alone.
  const walletId = hints.take(holdId);
  const row = walletId ? ((await batcherOf(db).submit(QUEUE, { op: "resolve", walletId, request })) as ResolveRow) : await resolveOne(db, request);
  if (row.outcome === "not_found") throw new HoldNotFoundError(holdId);
  const state = row.state as "settled" | "released";
  const wanted = amount === null ? "released" : "settled";
  const holdAmount = big(row.amount);
  return {
    charged: big(row.charged),
    replayed: row.outcome === "already",
    state,
    lost: row.outcome === "already" && state !== wanted,
    clamped: amount !== null && amount > holdAmount,
    ...(row.usage_id ? { usageId: row.usage_id } : {}),
  };
}

/**
 * Settles a hold for what was used: charges min(amount, hold) to the buckets in consumption
 * order, returns the rest to the buckets it came from, and records the usage row on the payer's
 * bill — all in one transaction. A hold resolves exactly once.
 */
export async function settle(db: Database, input: { holdId: string; amount: bigint; usage?: UsageInput; actorUserId?: string; reason?: string }): Promise<ResolveResult> {
  return resolveHold(db, input);
}

/** Releases a hold in full (nothing delivered). A hold resolves exactly once. */
export async function release(db: Database, input: { holdId: string; usage?: UsageInput; actorUserId?: string; reason?: string }): Promise<ResolveResult> {
  return resolveHold(db, { ...input, amount: null });
}

/** Support: releases a stuck hold, recording who and why. */
export async function releaseHold(db: Database, input: { holdId: string; actorUserId: string; reason: string }): Promise<ResolveResult> {
  return resolveHold(db, { holdId: input.holdId, amount: null, actorUserId: input.actorUserId, reason: input.reason });
}

/** Best-effort note of what a stream has used so far, so a sweeper can settle it after a crash. */
export async function recordProgress(db: Database, { holdId, amount }: { holdId: string; amount: bigint }): Promise<void> {
  if (amount < 0n) throw new InvalidAmountError("progress must not be negative");
  await db
    .update(hold)
    .set({ recordedAmount: sql`least(${hold.amount}, greatest(coalesce(${hold.recordedAmount}, 0), ${amount.toString()}::bigint))` })
    .where(and(eq(hold.id, holdId), eq(hold.state, "open")));
}

/** Resolves an open hold as the rules say when its request is gone: settle what was recorded, else release. */
export async function resolveAbandoned(db: Database, h: { id: string; recordedAmount: bigint | null }, reason: string): Promise<ResolveResult> {
  if (h.recordedAmount !== null && h.recordedAmount > 0n) return resolveHold(db, { holdId: h.id, amount: h.recordedAmount, reason });
  return resolveHold(db, { holdId: h.id, amount: null, reason });
}

/**
 * Resolves holds that outlived their TTL (a crashed request): settled from the recorded usage,
 * else released. Each hold in its own transaction; safe to run concurrently with live settles.
 */
export async function sweepHolds(db: Database, { now, limit = 1000 }: { now: Date; limit?: number }): Promise<{ settled: number; released: number; skipped: number }> {
  const due = await db
    .select({ id: hold.id, recordedAmount: hold.recordedAmount })
    .from(hold)
    .where(and(eq(hold.state, "open"), lte(hold.expiresAt, now)))
    .orderBy(asc(hold.expiresAt))
    .limit(limit);
  const out = { settled: 0, released: 0, skipped: 0 };
  for (const h of due) {
    const r = await resolveAbandoned(db, h, "hold expired");
    if (r.replayed) out.skipped++;
    else if (r.state === "settled") out.settled++;
    else out.released++;
  }
  return out;
}
