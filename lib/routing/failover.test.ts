import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createTestDb } from "@/lib/testing/db";
import type { Database } from "@/lib/db/types";
import { usage, user } from "@/lib/db/schema";
import { ensurePersonalWallet, getBalance, grant, reconcileLedger } from "@/lib/ledger";
import { buildCatalog, type RawCatalog } from "@/lib/catalog";
import { countChatTokens, holdFor, planTokens } from "@/lib/metering";
import { flushAfterSettle, startMeteredCompletion, type PipelineConfig, type StartSuccess } from "@/lib/completion";
import { serveGateway, testGateway, userWithKey } from "@/lib/testing/gateway-harness";
import { RouteHealth } from "./health";

/*
 * Failover over real HTTP: local upstreams that refuse connections (a dead port), answer 503,
 * accept and then stall before their first token, cut the stream after one token, or answer.
 * Listed cheapest first in that order, with one dearer route after the good one.
 */

const GOOD_TEXT = ["好的，", "这是来自", "正常线路的回答。"];
const LEAK = "LEAKED-FROM-SLOW-ROUTE";
const calls: Record<string, number> = {};

function sse(res: ServerResponse, obj: unknown) {
  res.write(`data: ${JSON.stringify(obj)}\n\n`);
}
function chunk(content: string | null, finish: string | null = null) {
  return { id: "x", object: "chat.completion.chunk", choices: [{ index: 0, delta: content === null ? {} : { content }, finish_reason: finish }] };
}

type Behaviour = "busy" | "slow" | "good" | "cut";
function upstream(name: string, behaviour: Behaviour, slowMs = 1500): Server {
  return createServer((req, res) => {
    calls[name] = (calls[name] ?? 0) + 1;
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      if (behaviour === "busy") {
        res.writeHead(503, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: { message: "overloaded" } }));
        return;
      }
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.flushHeaders();
      if (behaviour === "slow") {
        const t = setTimeout(() => {
          sse(res, chunk(LEAK));
          sse(res, chunk(null, "stop"));
          res.end("data: [DONE]\n\n");
        }, slowMs);
        res.on("close", () => clearTimeout(t));
        return;
      }
      if (behaviour === "cut") {
        sse(res, chunk("半句"));
        setTimeout(() => res.destroy(), 20);
        return;
      }
      for (const t of GOOD_TEXT) sse(res, chunk(t));
      sse(res, chunk(null, "stop"));
      sse(res, { id: "x", object: "chat.completion.chunk", choices: [], usage: { prompt_tokens: 40, completion_tokens: 12 } });
      res.end("data: [DONE]\n\n");
    });
  });
}

async function listen(s: Server): Promise<number> {
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  return (s.address() as AddressInfo).port;
}

const servers: Server[] = [];
let deadPort = 0;
let raw: RawCatalog;

function provider(id: string, port: number, input: number, output: number): RawCatalog[string] {
  return {
    id,
    name: id,
    api: `http://127.0.0.1:${port}/v1`,
    npm: "@ai-sdk/openai-compatible",
    env: [`${id.toUpperCase()}_API_KEY`],
    models: { "route-test-model": { id: "route-test-model", name: "Route test", cost: { input, output }, limit: { context: 64_000, output: 4_096 } } },
  };
}

beforeAll(async () => {
  // A port that was listened on and closed: connections to it are refused.
  const tmp = createServer();
  deadPort = await listen(tmp);
  await new Promise<void>((r) => tmp.close(() => r()));
  const ports: Record<string, number> = {};
  for (const [name, b] of [
    ["busy", "busy"],
    ["slow", "slow"],
    ["good", "good"],
    ["pricey", "good"],
    ["cut", "cut"],
  ] as const) {
    const s = upstream(name, b);
    servers.push(s);
    ports[name] = await listen(s);
  }
  raw = {
    dead: provider("dead", deadPort, 0.1, 0.2),
    busy: provider("busy", ports.busy!, 0.2, 0.4),
    slow: provider("slow", ports.slow!, 0.3, 0.6),
    good: provider("good", ports.good!, 0.5, 1),
    pricey: provider("pricey", ports.pricey!, 2, 4),
    cut: provider("cut", ports.cut!, 0.01, 0.02),
  };
});
afterAll(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

let db: Database;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ db, close } = await createTestDb());
});
afterAll(async () => {
  await flushAfterSettle();
  await close();
});

const NOW = new Date("2026-05-10T04:00:00Z");
const TRIAL = 5_000_000n;
let userId: string;
let walletId: string;
beforeEach(async () => {
  const [u] = await db
    .insert(user)
    .values({ phone: `137${Math.floor(Math.random() * 1e8)}` })
    .returning();
  userId = u!.id;
  walletId = (await ensurePersonalWallet(db, { userId })).id;
  await grant(db, {
    walletId,
    kind: "trial",
    amount: TRIAL,
    expiresAt: new Date(NOW.getTime() + 7 * 86_400_000),
    source: "trial",
    idempotencyKey: `trial:${userId}`,
    cycle: undefined,
  });
  for (const k of Object.keys(calls)) delete calls[k];
});

const messages = [{ role: "user" as const, content: "你好，请回答一个问题" }];

function run(opts: { without?: string[]; routing?: PipelineConfig["routing"]; provider?: Parameters<typeof startMeteredCompletion>[1]["routing"] } = {}) {
  const without = new Set(opts.without ?? ["cut"]);
  const catalog = buildCatalog(Object.fromEntries(Object.entries(raw).filter(([k]) => !without.has(k))), { now: NOW });
  const config: PipelineConfig = {
    demoMode: false,
    demoBaseUrl: "http://demo.invalid/v1",
    providerKey: (name) => (name.endsWith("_API_KEY") ? "sk-local" : undefined),
    holdTtlSeconds: 600,
    clock: () => NOW,
    catalog: { built: catalog },
    routing: { health: new RouteHealth(), attemptTimeoutMs: 300, deadlineMs: 5_000, ...opts.routing },
  };
  return startMeteredCompletion(db, {
    userId,
    walletId,
    modelId: "route-test-model",
    messages,
    maxOutputTokens: 1000,
    requestId: `r-${Math.random().toString(36).slice(2)}`,
    now: NOW,
    config,
    reportBalance: false,
    ...(opts.provider ? { routing: opts.provider } : {}),
  });
}

async function drain(r: StartSuccess): Promise<string> {
  let text = "";
  for await (const ev of r.events) text += ev.text;
  return text;
}

const W = (inMicro: bigint, outMicro: bigint) => ({ inMicro, outMicro });
const WEIGHTS = { good: W(500_000n, 1_000_000n), pricey: W(2_000_000n, 4_000_000n), cut: W(20_000n, 20_000n) };

async function reconciled() {
  const rep = await reconcileLedger(db);
  expect(rep.problems).toEqual([]);
}

describe("failover across routes", () => {
  it("tries the routes cheapest first, moves past a dead port, a 503 and a stall, and charges the one that answered, once", async () => {
    const t0 = performance.now();
    const r = await run();
    expect(r.ok).toBe(true);
    const s = r as StartSuccess;
    const promptTokens = countChatTokens(messages);
    // The hold covers the dearest allowed route.
    expect(s.holdAmount).toBe(holdFor({ promptTokens, maxOutputTokens: 1000, weights: WEIGHTS.pricey }));
    const text = await drain(s);
    const o = await s.done;
    expect(text).toBe(GOOD_TEXT.join(""));
    expect(text).not.toContain(LEAK);
    expect(o.status).toBe("ok");
    expect(o.providerRoute).toBe("good");
    expect(s.route.providerId).toBe("good");
    expect(o.routeAttempts.map((a) => [a.provider, a.outcome])).toEqual([
      ["dead", "upstream_unavailable"],
      ["busy", "upstream_unavailable"],
      ["slow", "timeout"],
      ["good", "ok"],
    ]);
    expect(o.routeAttempts[1]!.status).toBe(503);
    expect(calls).toEqual({ busy: 1, slow: 1, good: 1 });
    // The slow route was given its 300 ms, no more.
    expect(o.routeAttempts[2]!.ms).toBeGreaterThanOrEqual(290);
    expect(o.routeAttempts[2]!.ms).toBeLessThan(800);
    expect(performance.now() - t0).toBeLessThan(2_000);
    // Settled at the serving route's price, from its reported usage: exactly once.
    const charge = planTokens({ tokensIn: 40, tokensOut: 12, weightInMicro: WEIGHTS.good.inMicro, weightOutMicro: WEIGHTS.good.outMicro });
    expect(o.planTokens).toBe(charge);
    const rows = await db.select().from(usage).where(eq(usage.userId, userId));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      providerRoute: "good",
      planTokens: charge,
      weightInMicro: 500_000n,
      weightOutMicro: 1_000_000n,
      tokensIn: 40,
      tokensOut: 12,
    });
    expect(rows[0]!.routeAttempts!.map((a) => a.outcome)).toEqual(["upstream_unavailable", "upstream_unavailable", "timeout", "ok"]);
    const b = await getBalance(db, { walletId, now: NOW });
    expect(b.available).toBe(TRIAL - charge);
    expect(b.held).toBe(0n);
    await reconciled();
  });

  it("stops at the deadline: no route answered in time, nothing is charged", async () => {
    const r = (await run({ routing: { attemptTimeoutMs: 300, deadlineMs: 250 } })) as StartSuccess;
    const text = await drain(r);
    const o = await r.done;
    expect(text).toBe("");
    expect(o.status).toBe("error");
    expect(o.planTokens).toBe(0n);
    expect(o.routeAttempts.map((a) => a.outcome)).toEqual(["upstream_unavailable", "upstream_unavailable", "timeout", "deadline"]);
    expect(calls.good ?? 0).toBe(0);
    expect((await getBalance(db, { walletId, now: NOW })).available).toBe(TRIAL);
    await reconciled();
  });

  it("never retries after the first token: a stream cut after it is settled as interrupted", async () => {
    const r = (await run({ without: [] })) as StartSuccess;
    const text = await drain(r);
    const o = await r.done;
    expect(text).toBe("半句");
    expect(o.status).toBe("interrupted");
    expect(o.routeAttempts.map((a) => a.provider)).toEqual(["cut"]);
    expect(calls).toEqual({ cut: 1 });
    expect(o.planTokens).toBeGreaterThan(0n);
    const rows = await db.select().from(usage).where(eq(usage.userId, userId));
    expect(rows[0]).toMatchObject({ providerRoute: "cut", weightInMicro: WEIGHTS.cut.inMicro });
    await reconciled();
  });

  it("follows a request's provider preferences: only, order, ignore, and no fallbacks", async () => {
    let r = (await run({ provider: [{ only: ["pricey", "good"] }] })) as StartSuccess;
    await drain(r);
    let o = await r.done;
    expect(o.routeAttempts.map((a) => a.provider)).toEqual(["good"]);
    // The hold covers only the allowed routes: with pricey and good allowed, pricey's weights.
    expect(r.holdAmount).toBe(holdFor({ promptTokens: countChatTokens(messages), maxOutputTokens: 1000, weights: WEIGHTS.pricey }));

    r = (await run({ provider: [{ order: ["pricey"] }] })) as StartSuccess;
    await drain(r);
    o = await r.done;
    expect(o.routeAttempts.map((a) => a.provider)).toEqual(["pricey"]);
    expect(o.planTokens).toBe(planTokens({ tokensIn: 40, tokensOut: 12, weightInMicro: 2_000_000n, weightOutMicro: 4_000_000n }));

    r = (await run({ provider: [{ ignore: ["dead", "busy", "slow"] }, { only: ["good", "pricey", "dead"] }] })) as StartSuccess;
    await drain(r);
    expect((await r.done).routeAttempts.map((a) => a.provider)).toEqual(["good"]);
    expect(r.holdAmount).toBe(holdFor({ promptTokens: countChatTokens(messages), maxOutputTokens: 1000, weights: WEIGHTS.pricey }));

    r = (await run({ provider: [{ allowFallbacks: false }] })) as StartSuccess;
    await drain(r);
    o = await r.done;
    expect(o.status).toBe("error");
    expect(o.routeAttempts.map((a) => a.provider)).toEqual(["dead"]);
    expect(o.planTokens).toBe(0n);

    // Only routes nobody offers: the model is not available to this request.
    expect(await run({ provider: [{ only: ["nobody"] }] })).toMatchObject({ ok: false, code: "model_unavailable" });
    await reconciled();
  });

  it("skips a route that failed N times in a row for its cool-down, then probes it", async () => {
    let now = 1_000_000;
    const health = new RouteHealth({ failureThreshold: 2, coolDownMs: 60_000, now: () => now });
    const go = async () => {
      const r = (await run({ routing: { health }, provider: [{ only: ["dead", "good"] }] })) as StartSuccess;
      await drain(r);
      return (await r.done).routeAttempts.map((a) => `${a.provider}:${a.outcome}`);
    };
    expect(await go()).toEqual(["dead:upstream_unavailable", "good:ok"]);
    expect(await go()).toEqual(["dead:upstream_unavailable", "good:ok"]);
    expect(await go()).toEqual(["dead:cooling_down", "good:ok"]);
    now += 60_001;
    // Cool-down over: one request probes it (and it fails again, so it cools down again).
    expect(await go()).toEqual(["dead:upstream_unavailable", "good:ok"]);
    expect(await go()).toEqual(["dead:cooling_down", "good:ok"]);
    await reconciled();
  });
});

describe("the API's provider object", () => {
  it("orders the routes as the request asks, refuses a malformed one by name, and fails over behind one OpenAI stream", async () => {
    const catalog = buildCatalog(Object.fromEntries(Object.entries(raw).filter(([k]) => k !== "cut")), { now: NOW });
    const u = await userWithKey(db, { phone: `136${Math.floor(Math.random() * 1e8)}`, tokens: 5_000_000n, now: new Date() });
    const gw = testGateway(db, "http://demo.invalid/v1", {
      config: {
        demoMode: false,
        demoBaseUrl: "http://demo.invalid/v1",
        providerKey: (name) => (name.endsWith("_API_KEY") ? "sk-local" : undefined),
        holdTtlSeconds: 600,
        catalog: { built: catalog },
        routing: { health: new RouteHealth(), attemptTimeoutMs: 300, deadlineMs: 5_000 },
      },
    });
    const base = await serveGateway(gw);
    const post = (body: Record<string, unknown>) =>
      fetch(`${base}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${u.apiKey}`, "content-type": "application/json" },
        body: JSON.stringify({ model: "route-test-model", messages, max_tokens: 100, ...body }),
      });

    const bad = await post({ provider: { sort: "cheapest" } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { param: string } }).error.param).toBe("provider.sort");
    const unknown = await post({ provider: { data_collection: "deny" } });
    expect(unknown.status).toBe(400);

    const pricey = await post({ provider: { order: ["pricey"] } });
    expect(pricey.status).toBe(200);
    expect(((await pricey.json()) as { choices: { message: { content: string } }[] }).choices[0]!.message.content).toBe(GOOD_TEXT.join(""));

    // Streamed: the dead, the 503 and the stalled route are passed before anything is written;
    // the client sees one ordinary stream with the good route's text only.
    for (const k of Object.keys(calls)) delete calls[k];
    const streamed = await post({ stream: true });
    expect(streamed.status).toBe(200);
    const sseText = await streamed.text();
    expect(sseText).not.toContain(LEAK);
    const content = sseText
      .split("\n\n")
      .filter((l) => l.startsWith("data: {"))
      .map((l) => (JSON.parse(l.slice(6)) as { choices: { delta: { content?: string } }[] }).choices[0]?.delta.content ?? "")
      .join("");
    expect(content).toBe(GOOD_TEXT.join(""));
    expect(calls).toEqual({ busy: 1, slow: 1, good: 1 });

    const rows = await db.select().from(usage).where(eq(usage.apiKeyId, u.keyId));
    expect(rows.map((r) => r.providerRoute).sort()).toEqual(["good", "pricey"]);
    await reconciled();
  });

  it("a key's own sort orders its requests' routes (fastest first, by the recent time to first token)", async () => {
    const catalog = buildCatalog(Object.fromEntries(Object.entries(raw).filter(([k]) => k !== "cut")), { now: NOW });
    const health = new RouteHealth();
    for (const [p, ms] of [
      ["dead", 500],
      ["busy", 400],
      ["slow", 300],
      ["good", 200],
      ["pricey", 5],
    ] as const)
      health.success(`${p}/route-test-model`, { ttftMs: ms });
    const u = await userWithKey(db, { phone: `136${Math.floor(Math.random() * 1e8)}`, tokens: 5_000_000n, now: new Date(), key: { routeSort: "latency" } });
    const gw = testGateway(db, "http://demo.invalid/v1", {
      config: {
        demoMode: false,
        demoBaseUrl: "http://demo.invalid/v1",
        providerKey: (name) => (name.endsWith("_API_KEY") ? "sk-local" : undefined),
        holdTtlSeconds: 600,
        catalog: { built: catalog },
        routing: { health, attemptTimeoutMs: 300, deadlineMs: 5_000 },
      },
    });
    const base = await serveGateway(gw);
    const res = await fetch(`${base}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${u.apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "route-test-model", messages, max_tokens: 100 }),
    });
    expect(res.status).toBe(200);
    await res.json();
    const rows = await db.select().from(usage).where(eq(usage.apiKeyId, u.keyId));
    expect(rows.map((r) => r.routeAttempts!.map((a) => a.provider))).toEqual([["pricey"]]);
  });
});
