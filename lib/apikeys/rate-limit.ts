/**
 * Per-key request rate limit: a token bucket of `limit` requests refilled evenly over
 * `windowMs`. In-process (one app instance); the headers follow OpenAI's x-ratelimit-* names.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  constructor(private readonly opts: { limit: number; windowMs: number; maxKeys?: number }) {}

  get limit(): number {
    return this.opts.limit;
  }

  take(key: string, nowMs: number = Date.now()): { ok: boolean; limit: number; remaining: number; resetMs: number; retryAfterMs: number } {
    const { limit, windowMs } = this.opts;
    const rate = limit / windowMs;
    let b = this.buckets.get(key);
    if (!b) {
      if (this.buckets.size >= (this.opts.maxKeys ?? 50_000)) this.buckets.clear();
      b = { tokens: limit, at: nowMs };
      this.buckets.set(key, b);
    } else {
      b.tokens = Math.min(limit, b.tokens + (nowMs - b.at) * rate);
      b.at = nowMs;
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
