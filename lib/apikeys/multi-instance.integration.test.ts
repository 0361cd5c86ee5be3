import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPgTestDb } from "@/lib/testing/pg-db";
import { sql } from "drizzle-orm";
import { user } from "@/lib/db/schema";
import { createApiKey } from "@/lib/apikeys/keys";
import { startTestRedis, type TestRedis } from "@/lib/testing/redis";
import { startNextInstances, type NextInstances } from "@/lib/testing/next-instances";

/*
 * Two `next start` processes on one PostgreSQL: 120 requests for a 60 RPM key, spread over both,
 * get exactly 60 through, with OpenAI's x-ratelimit-* headers counting down across the instances.
 * The same again for two more processes with REDIS_URL (the count then lives in Redis). All four
 * start together. The build is shared with the e2e layer (.next-e2e), made only when the tree
 * changed since.
 */

let h: Awaited<ReturnType<typeof createPgTestDb>>;
let redis: TestRedis;
let instances: NextInstances | undefined;
/** Two instances counting in PostgreSQL, two in Redis. */
const bases: Record<"pg" | "redis", string[]> = { pg: [], redis: [] };

beforeAll(async () => {
  h = await createPgTestDb({ max: 4 });
  redis = await startTestRedis();
  instances = await startNextInstances({
    count: 4,
    // Unauthenticated /api/v1/models is a 401 once the app answers.
    path: "/api/v1/models",
    up: (r) => r.status === 401,
    env: (i) => ({
      DATABASE_URL: h.url,
      DATABASE_DRIVER: "node",
      DATABASE_POOL_MAX: "4",
      DEMO_MODE: "false",
      AUTH_SECRET: "multi-instance-test-secret-0123456789abcdef",
      AUTH_TRUST_HOST: "true",
      SMS_SENDER: "http",
      SMS_HTTP_URL: "http://127.0.0.1:9/sms",
      SMS_HTTP_SECRET: "multi-instance-sms-secret",
      API_RATE_LIMIT_RPM: "60",
      HOLD_SWEEP_INTERVAL_SECONDS: "0",
      REDIS_URL: i < 2 ? "" : redis.url,
    }),
  });
  bases.pg = instances.bases.slice(0, 2);
  bases.redis = instances.bases.slice(2);
}, 900_000);

afterAll(async () => {
  await instances?.stop();
  await h?.close();
  await redis?.close();
});

describe.each(["pg", "redis"] as const)("several app instances, one rate limit (%s)", (store) => {
  it("120 requests for a 60 RPM key over two instances: exactly 60 through, headers right on both", async () => {
    const now = new Date();
    const [u] = await h.db
      .insert(user)
      .values({ phone: store === "pg" ? "13612340000" : "13612340001" })
      .returning();
    const { text, key } = await createApiKey(h.db, { userId: u!.id, name: "multi", now });
    const id = key.id;
    const call = async (i: number) => {
      const r = await fetch(`${bases[store][i % 2]}/api/v1/models`, { headers: { authorization: `Bearer ${text}` } });
      await r.arrayBuffer();
      return {
        instance: i % 2,
        status: r.status,
        limit: r.headers.get("x-ratelimit-limit-requests"),
        remaining: Number(r.headers.get("x-ratelimit-remaining-requests")),
        reset: r.headers.get("x-ratelimit-reset-requests"),
        retryAfter: r.headers.get("retry-after"),
      };
    };
    // The first 30 take turns (both instances admit some whichever is warmer), the other 90 race.
    const results = [];
    for (let i = 0; i < 30; i++) results.push(await call(i));
    results.push(...(await Promise.all(Array.from({ length: 90 }, (_, i) => call(30 + i)))));
    const ok = results.filter((r) => r.status === 200);
    const limited = results.filter((r) => r.status === 429);
    expect(ok).toHaveLength(60);
    expect(limited).toHaveLength(60);
    // Both instances let some through and refused some: the count is shared, not per process.
    expect(new Set(ok.map((r) => r.instance))).toEqual(new Set([0, 1]));
    expect(new Set(limited.map((r) => r.instance))).toEqual(new Set([0, 1]));
    expect(ok.map((r) => r.remaining).sort((a, b) => a - b)).toEqual(Array.from({ length: 60 }, (_, i) => i));
    for (const r of results) {
      expect(r.limit).toBe("60");
      expect(r.reset).toMatch(/^(\d+m)?\d+s$|^\d+ms$/);
    }
    for (const r of limited) {
      expect(r.remaining).toBe(0);
      expect(Number(r.retryAfter)).toBeGreaterThan(0);
    }
    // The count lived where the instances were told to keep it, and only there.
    const inRedis = await redis.client.get(`unitoken:rl:key:${id}`);
    const inPg = await h.db.execute(sql`select count from rate_limit_window where key = ${`key:${id}`}`);
    const pgRows = Array.isArray(inPg) ? inPg : (inPg as { rows: unknown[] }).rows;
    if (store === "redis") {
      expect(inRedis).toBe("120");
      expect(pgRows).toHaveLength(0);
    } else {
      expect(inRedis).toBeNull();
      expect(pgRows).toHaveLength(1);
    }
  }, 120_000);
});
