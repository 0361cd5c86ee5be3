import { sql } from "drizzle-orm";
import type { Database } from "@/lib/db/types";
import { nowMs } from "@/lib/core/clock";

/**
 * Per-key request rate limit: a token bucket of `limit` requests refilled evenly over
 * `windowMs`. In-process (one app instance); the headers follow OpenAI's x-ratelimit-* names.
 */
export class RateLimiter implements RequestRateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  constructor(private readonly opts: { limit: number; windowMs: number; maxKeys?: number }) {}

  get limit(): number {
    return this.opts.limit;
  }

  take(key: string, at: number = nowMs()): { ok: boolean; limit: number; remaining: number; resetMs: number; retryAfterMs: number } {
    const { limit, windowMs } = this.opts;
    const rate = limit / windowMs;
    let b = this.buckets.get(key);
    if (!b) {
      if (this.buckets.size >= (this.opts.maxKeys ?? 50_000)) this.buckets.clear();
      b = { tokens: limit, at };
      this.buckets.set(key, b);
    } else {
      b.tokens = Math.min(limit, b.tokens + (at - b.at) * rate);
      b.at = at;
    }
    const ok = b.tokens >= 1;
    if (ok) b.tokens -= 1;
    const remaining = Math.floor(b.tokens);
    return {
      ok,
      limit,
      remaining,
      resetMs: Math.ceil((limit - b.tokens) / rate),
      retryAfterMs: ok ? 0 : Math.ceil((1 - b.tokens) / rate),
    };
  }
}

/** "1s", "6m0s", "20ms": OpenAI's duration format for x-ratelimit-reset-*. */
export function formatReset(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.ceil(ms))}ms`;
  const s = Math.ceil(ms / 1000);
  if (s < 60) return `${s}s`;
  return `${Math.floor(s / 60)}m${s % 60}s`;
}

/** One request counted against a key's rate: whether it may pass, and what the x-ratelimit-* headers say. */
export type RateDecision = { ok: boolean; limit: number; remaining: number; resetMs: number; retryAfterMs: number };

/** A per-key request rate limit, in-process (RateLimiter) or shared by every app instance (PgWindowLimiter, RedisWindowLimiter). */
export interface RequestRateLimiter {
  readonly limit: number;
  take(key: string): RateDecision | Promise<RateDecision>;
  /**
   * A limiter whose count is one statement on the app's database (PgWindowLimiter) can have it
   * made by another call there (the wallet's reserve, lib/ledger `rate`): the window row to count
   * in, and the decision the count it returns stands for.
   */
  countIn?(key: string): WindowCount;
  decide?(r: WindowCounted): RateDecision;
}

/** A request to count in a shared window row `key` of `limit` requests per `windowMs` (lib/ledger's RateCount). */
export type WindowCount = { key: string; limit: number; windowMs: number };
/** The window's count after the request, and the time until the window ends. */
export type WindowCounted = { count: number; resetMs: number };

function decision(limit: number, { count, resetMs }: WindowCounted): RateDecision {
  const ok = count <= limit;
  return { ok, limit, remaining: Math.max(0, limit - count), resetMs, retryAfterMs: ok ? 0 : Math.max(1, resetMs) };
}

function rowsOf(res: unknown): Record<string, unknown>[] {
  return Array.isArray(res) ? res : ((res as { rows?: Record<string, unknown>[] }).rows ?? []);
}

/**
 * The per-key limit shared by every app instance through PostgreSQL: `limit` requests per window
 * that starts with a key's first request, counted by one atomic upsert on the database's clock
 * (instances' clocks never disagree), so N instances admit exactly `limit` per window together.
 */
export class PgWindowLimiter implements RequestRateLimiter {
  constructor(
    private readonly db: () => Database | Promise<Database>,
    private readonly opts: { limit: number; windowMs: number; prefix?: string },
  ) {}

  get limit(): number {
    return this.opts.limit;
  }

  countIn(key: string): WindowCount {
    return { key: `${this.opts.prefix ?? "key"}:${key}`, limit: this.opts.limit, windowMs: this.opts.windowMs };
  }

  decide(r: WindowCounted): RateDecision {
    return decision(this.opts.limit, r);
  }

  /* lib/ledger/sql/ledger_reserve_counted.sql counts with the same statement: change both together. */
  async take(key: string): Promise<RateDecision> {
    const { limit, windowMs } = this.opts;
    const db = await this.db();
    const secs = windowMs / 1000;
    const res = await db.execute(sql`
      INSERT INTO rate_limit_window AS w (key, window_start, count) VALUES (${`${this.opts.prefix ?? "key"}:${key}`}, now(), 1)
      ON CONFLICT (key) DO UPDATE SET
        window_start = CASE WHEN w.window_start <= now() - make_interval(secs => ${secs}) THEN now() ELSE w.window_start END,
        count = CASE WHEN w.window_start <= now() - make_interval(secs => ${secs}) THEN 1 ELSE least(w.count + 1, 2147483647) END
      RETURNING w.count AS count,
        greatest(0, ceil(extract(epoch FROM (w.window_start + make_interval(secs => ${secs}) - now())) * 1000))::int AS reset_ms`);
    const row = rowsOf(res)[0]!;
    return decision(limit, { count: Number(row.count), resetMs: Number(row.reset_ms) });
  }
}

/** The Redis commands RedisWindowLimiter needs (an ioredis client has them). */
export type RedisEval = { eval(script: string, numKeys: number, ...args: (string | number)[]): Promise<unknown> };

/*
 * One window per key, opened by its first request: INCR and, on the window's first request, its
 * expiry, in one script (Redis runs a script atomically, so no two instances see the same count).
 * The window's end is Redis's own clock (PTTL), never an instance's.
 */
const WINDOW_SCRIPT = `
local c = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if c == 1 or ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {c, ttl}`;

/**
 * The per-key limit shared by every app instance through Redis (REDIS_URL): the same window as
 * PgWindowLimiter, counted by one Lua script, so N instances admit exactly `limit` per window.
 */
export class RedisWindowLimiter implements RequestRateLimiter {
  constructor(
    private readonly redis: RedisEval,
    private readonly opts: { limit: number; windowMs: number; prefix?: string },
  ) {}

  get limit(): number {
    return this.opts.limit;
  }

  async take(key: string): Promise<RateDecision> {
    const { limit, windowMs } = this.opts;
    const res = (await this.redis.eval(WINDOW_SCRIPT, 1, `unitoken:rl:${this.opts.prefix ?? "key"}:${key}`, windowMs)) as [number, number];
    const count = Number(res[0]);
    const resetMs = Math.max(0, Number(res[1]));
    const ok = count <= limit;
    return { ok, limit, remaining: Math.max(0, limit - count), resetMs, retryAfterMs: ok ? 0 : Math.max(1, resetMs) };
  }
}

/**
 * When a shared limiter's answer (a database or Redis round trip) may overlap a request's upstream
 * call instead of preceding it. The decision stays the shared limiter's, exact, and is known before
 * any output is released or any hold written: a refused request's upstream call is stopped and
 * nothing is charged. To bound what refused calls could cost, a request goes early only when this
 * instance's last answer for the key, in a window still open, left room for it and every early
 * request still waiting here, with half of that room kept for other instances; a key this instance
 * has not seen, or one near its limit, waits for its answer first.
 */
export class RateAdmission {
  private readonly known = new Map<string, { remaining: number; resetAt: number }>();
  private readonly early = new Map<string, number>();
  constructor(
    private readonly limiter: RequestRateLimiter,
    private readonly opts: { maxKeys?: number; now?: () => number } = {},
  ) {}

  /**
   * `deferrable`: the caller can have the count made by its hold's own database call. A request
   * that goes early is then not counted here: it gets a DeferredCount, which the hold claims (one
   * round trip for both) or, when the request ends before any hold, counts on its own.
   */
  begin(key: string): { early: boolean; decision: Promise<RateDecision>; deferred?: undefined };
  begin(
    key: string,
    opts: { deferrable?: boolean },
  ): { early: boolean; decision: Promise<RateDecision>; deferred?: undefined } | { early: true; deferred: DeferredCount };
  begin(
    key: string,
    opts: { deferrable?: boolean } = {},
  ): { early: boolean; decision: Promise<RateDecision>; deferred?: undefined } | { early: true; deferred: DeferredCount } {
    const now = (this.opts.now ?? nowMs)();
    const k = this.known.get(key);
    const room = k === undefined ? 0 : k.resetAt <= now ? this.limiter.limit : k.remaining;
    const waiting = this.early.get(key) ?? 0;
    const early = waiting < Math.floor(room / 2);
    if (early) this.early.set(key, waiting + 1);
    const remember = (d: RateDecision | null) => {
      if (!d) return d;
      if (!this.known.has(key) && this.known.size >= (this.opts.maxKeys ?? 50_000)) this.known.clear();
      this.known.set(key, { remaining: d.remaining, resetAt: (this.opts.now ?? nowMs)() + d.resetMs });
      return d;
    };
    const over = () => {
      const n = (this.early.get(key) ?? 1) - 1;
      if (n <= 0) this.early.delete(key);
      else this.early.set(key, n);
    };
    // Either way the request no longer waits (a refusal is the caller's to handle).
    const done = (p: Promise<unknown>) => void p.then(over, over);
    const { countIn, decide } = this.limiter;
    if (early && opts.deferrable && countIn && decide) {
      const deferred = new DeferredCount(
        countIn.call(this.limiter, key),
        (r) => remember(decide.call(this.limiter, r)),
        () => Promise.resolve(this.limiter.take(key)).then(remember),
      );
      done(deferred.decision);
      return { early, deferred };
    }
    const decision = Promise.resolve(this.limiter.take(key)).then((d) => remember(d)!);
    if (early) done(decision);
    return { early, decision };
  }
}

/**
 * A request's rate count not made yet: counted exactly once, either by the call that claims it
 * (the hold's, which reports the count back with `counted`) or, when nothing claimed it, by
 * `take` on its own. `decision` is null when the claiming call failed (whether it counted is
 * then unknown; it is not counted again).
 */
export class DeferredCount {
  private state: "open" | "claimed" | "taken" = "open";
  private resolve!: (d: RateDecision | null) => void;
  readonly decision: Promise<RateDecision | null>;
  constructor(
    readonly count: WindowCount,
    private readonly decide: (r: WindowCounted) => RateDecision | null,
    private readonly takeAlone: () => Promise<RateDecision | null>,
  ) {
    this.decision = new Promise((r) => (this.resolve = r));
  }

  /** The window to count in, once; null when the count is already made or on its way. */
  claim(): WindowCount | null {
    if (this.state !== "open") return null;
    this.state = "claimed";
    return this.count;
  }

  /** The claiming call's answer (null: it failed). */
  counted(r: WindowCounted | null): void {
    this.resolve(r ? this.decide(r) : null);
  }

  /** The decision; counts on its own first when nothing claimed the count. */
  take(): Promise<RateDecision | null> {
    if (this.state === "open") {
      this.state = "taken";
      this.takeAlone().then(this.resolve, () => this.resolve(null));
    }
    return this.decision;
  }
}
