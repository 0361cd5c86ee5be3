import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestRedis, type TestRedis } from "@/lib/testing/redis";
import { RedisWindowLimiter } from "./rate-limit";

let redis: TestRedis;
beforeAll(async () => {
  redis = await startTestRedis();
});
afterAll(async () => redis?.close());

describe("the shared per-key rate limit (Redis window)", () => {
  it("admits exactly the limit of a burst from two clients, counts down remaining, and says when the window resets", async () => {
    // Two connections stand for two app instances.
    const other = redis.client.duplicate();
    try {
      const a = new RedisWindowLimiter(redis.client, { limit: 60, windowMs: 60_000 });
      const b = new RedisWindowLimiter(other, { limit: 60, windowMs: 60_000 });
      const results = await Promise.all(Array.from({ length: 120 }, (_, i) => (i % 2 ? a : b).take("burst")));
      const ok = results.filter((r) => r.ok);
      expect(ok).toHaveLength(60);
      expect(ok.map((r) => r.remaining).sort((x, y) => x - y)).toEqual(Array.from({ length: 60 }, (_, i) => i));
      for (const r of results) {
        expect(r.limit).toBe(60);
        expect(r.resetMs).toBeGreaterThan(50_000);
        expect(r.resetMs).toBeLessThanOrEqual(60_000);
      }
      for (const r of results.filter((x) => !x.ok)) {
        expect(r.remaining).toBe(0);
        expect(r.retryAfterMs).toBe(r.resetMs);
      }
      // Another key has its own window, and another prefix its own count.
      expect((await a.take("other")).remaining).toBe(59);
      expect((await new RedisWindowLimiter(redis.client, { limit: 5, windowMs: 60_000, prefix: "ip" }).take("burst")).remaining).toBe(4);
    } finally {
      other.disconnect();
    }
  });

  it("opens a new window once the last one is over", async () => {
    const limiter = new RedisWindowLimiter(redis.client, { limit: 2, windowMs: 300 });
    expect((await limiter.take("w")).ok).toBe(true);
    expect((await limiter.take("w")).ok).toBe(true);
    const refused = await limiter.take("w");
    expect(refused.ok).toBe(false);
    expect(refused.retryAfterMs).toBeGreaterThan(0);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(300);
    await new Promise((r) => setTimeout(r, 350));
    expect(await limiter.take("w")).toMatchObject({ ok: true, remaining: 1 });
  });

  it("a key whose expiry was lost (a restored dump) still gets a window instead of counting forever", async () => {
    await redis.client.set("unitoken:rl:key:lost", "7");
    const r = await new RedisWindowLimiter(redis.client, { limit: 10, windowMs: 60_000 }).take("lost");
    expect(r).toMatchObject({ ok: true, remaining: 2 });
    expect(await redis.client.pttl("unitoken:rl:key:lost")).toBeGreaterThan(50_000);
  });
});
