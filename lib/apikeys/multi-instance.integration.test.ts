import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { existsSync } from "node:fs";
import { createPgTestDb } from "@/lib/testing/pg-db";
import { sql } from "drizzle-orm";
import { user } from "@/lib/db/schema";
import { createApiKey } from "@/lib/apikeys/keys";
import { startTestRedis, type TestRedis } from "@/lib/testing/redis";
// @ts-expect-error: a plain .mjs script without types
import { ensureBuild } from "../../scripts/build-fresh.mjs";

/*
 * Two `next start` processes on one PostgreSQL: 120 requests for a 60 RPM key, spread over both,
 * get exactly 60 through, with OpenAI's x-ratelimit-* headers counting down across the instances.
 * The same again for two more processes with REDIS_URL (the count then lives in Redis). All four
 * start together. The build is shared with the e2e layer (.next-e2e), made only when the tree
 * changed since.
 */

const DIST = process.env.MULTI_INSTANCE_DIST_DIR || ".next-e2e";

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitUp(base: string, proc: ChildProcess, ms = 90_000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`next start exited with ${proc.exitCode}`);
    try {
      const r = await fetch(`${base}/api/v1/models`);
      if (r.status === 401) return;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > end) throw new Error(`${base} did not come up`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

let h: Awaited<ReturnType<typeof createPgTestDb>>;
let redis: TestRedis;
const procs: ChildProcess[] = [];
/** Two instances counting in PostgreSQL, two in Redis. */
const bases: Record<"pg" | "redis", string[]> = { pg: [], redis: [] };

beforeAll(async () => {
  // MULTI_INSTANCE_REUSE_BUILD=1 takes an existing build as it is (a shared checkout keeps changing).
  if (!(process.env.MULTI_INSTANCE_REUSE_BUILD === "1" && existsSync(`${DIST}/BUILD_ID`)))
    ensureBuild(DIST, { ...process.env, ...(process.env.UNITOKEN_TYPECHECKED === "1" ? { NEXT_SKIP_TYPECHECK: "1" } : {}) });
  h = await createPgTestDb({ max: 4 });
  redis = await startTestRedis();
  for (let i = 0; i < 4; i++) {
    const store = i < 2 ? "pg" : "redis";
    const port = await freePort();
    // The next binary itself (not through npx), in its own process group: stopping it stops all of it.
    const p = spawn("node_modules/.bin/next", ["start", "-p", String(port), "-H", "127.0.0.1"], {
      detached: true,
      env: {
        ...process.env,
        NODE_ENV: "production",
        NEXT_DIST_DIR: DIST,
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
        NEXT_TELEMETRY_DISABLED: "1",
        REDIS_URL: store === "redis" ? redis.url : "",
      },
      stdio: ["ignore", "ignore", "inherit"],
    });
    procs.push(p);
    bases[store].push(`http://127.0.0.1:${port}`);
  }
  await Promise.all([...bases.pg, ...bases.redis].map((b, i) => waitUp(b, procs[i]!)));
}, 900_000);

afterAll(async () => {
  const exited = procs.map((p) => (p.exitCode === null ? new Promise((r) => p.once("exit", r)) : null));
  for (const p of procs) if (p.pid && p.exitCode === null) process.kill(-p.pid, "SIGTERM");
  await Promise.race([Promise.all(exited), new Promise((r) => setTimeout(r, 10_000))]);
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
