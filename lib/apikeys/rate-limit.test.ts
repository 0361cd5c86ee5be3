import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb } from "@/lib/testing/db";
import type { Database } from "@/lib/db/types";
import { PgWindowLimiter, RateLimiter } from "./rate-limit";

let db: Database;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ db, close } = await createTestDb());
});
afterAll(async () => close());

describe("the shared per-key rate limit (PostgreSQL window)", () => {
  it("admits exactly the limit of a burst, counts down x-ratelimit-remaining, and says when the window resets", async () => {
    const limiter = new PgWindowLimiter(() => db, { limit: 60, windowMs: 60_000 });
    const results = await Promise.all(Array.from({ length: 120 }, () => limiter.take("burst")));
    const ok = results.filter((r) => r.ok);
    expect(ok).toHaveLength(60);
    expect(ok.map((r) => r.remaining).sort((a, b) => a - b)).toEqual(Array.from({ length: 60 }, (_, i) => i));
    for (const r of results) {
      expect(r.limit).toBe(60);
      expect(r.resetMs).toBeGreaterThan(50_000);
      expect(r.resetMs).toBeLessThanOrEqual(60_000);
    }
    for (const r of results.filter((x) => !x.ok)) {
      expect(r.remaining).toBe(0);
      expect(r.retryAfterMs).toBe(r.resetMs);
    }
    // Another key has its own window.
    expect((await limiter.take("other")).remaining).toBe(59);
  });

  it("opens a new window once the last one is over", async () => {
    const limiter = new PgWindowLimiter(() => db, { limit: 2, windowMs: 400 });
    expect((await limiter.take("w")).ok).toBe(true);
    expect((await limiter.take("w")).ok).toBe(true);
    expect((await limiter.take("w")).ok).toBe(false);
    await new Promise((r) => setTimeout(r, 450));
    const again = await limiter.take("w");
    expect(again).toMatchObject({ ok: true, remaining: 1 });
  });

  it("the in-process limiter answers the same shape", () => {
    const rl = new RateLimiter({ limit: 2, windowMs: 1000 });
    expect(rl.take("k", 0)).toMatchObject({ ok: true, limit: 2, remaining: 1 });
  });
});
