import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import type { PGlite } from "@electric-sql/pglite";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createTestDb } from "@/lib/testing/db";
import type { Database } from "@/lib/db/types";
import { hold, usage, user } from "@/lib/db/schema";
import { addMember, createFamilyWallet, ensurePersonalWallet, getBalance, grant, reconcileLedger, removeMember, sweepHolds } from "@/lib/ledger";
import { getModel } from "@/lib/catalog";
import { planTokens } from "@/lib/metering";
import { createDemoHandler } from "@/lib/demo/upstream/server";
import { startDemoUpstream, type RunningServer } from "@/lib/demo/upstream/node-server";
import { flushAfterSettle, startMeteredCompletion, type PipelineConfig, type PipelineMessage, type StartSuccess } from "./index";
import { countChatTokens, countTokens, TokenCountCache } from "@/lib/metering";

const MODEL = "deepseek-chat";
const W = getModel(MODEL)!.weights;
const TRIAL = 500_000n;
const NOW = new Date("2026-05-10T04:00:00Z");

let server: RunningServer;
let upstreamCalls = 0;
const handler = createDemoHandler();

beforeAll(async () => {
  server = await startDemoUpstream({
    handler: (req) => {
      if (new URL(req.url).pathname.endsWith("/chat/completions")) upstreamCalls++;
      return handler(req);
    },
  });
});
afterAll(async () => {
  await server?.close();
});

let db: Database;
let client: PGlite;
let close: () => Promise<void>;
let userId: string;
let walletId: string;

beforeAll(async () => {
  ({ db, client, close } = await createTestDb());
});
afterAll(async () => {
  await flushAfterSettle();
  await close();
});

// One database for the file (cloning one per test costs seconds); each test gets its own user.
beforeEach(async () => {
  const [u] = await db
    .insert(user)
    .values({ phone: `139${Math.floor(Math.random() * 1e8)}` })
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
  upstreamCalls = 0;
});

afterEach(async () => {
  await flushAfterSettle();
});

function config(knobs: Record<string, string | number> = {}, extra: Partial<PipelineConfig> = {}): PipelineConfig {
  return {
    demoMode: true,
    demoBaseUrl: server.baseUrl,
    providerKey: () => undefined,
    holdTtlSeconds: 600,
    upstreamHeaders: Object.fromEntries(Object.entries({ "x-demo-ttft-ms": 0, "x-demo-tps": 0, ...knobs }).map(([k, v]) => [k, String(v)])),
    clock: () => NOW,
    ...extra,
  };
}

const messages: PipelineMessage[] = [{ role: "user", content: "讲讲复利是怎么回事" }];
const rid = () => `r-${Math.random().toString(36).slice(2)}`;

async function start(
  knobs: Record<string, string | number> = {},
  opts: { requestId?: string; signal?: AbortSignal; extra?: Partial<PipelineConfig>; maxOutputTokens?: number } = {},
) {
  return startMeteredCompletion(db, {
    userId,
    walletId,
    modelId: MODEL,
    messages,
    maxOutputTokens: opts.maxOutputTokens ?? 1000,
    requestId: opts.requestId ?? rid(),
    now: NOW,
    config: config(knobs, opts.extra),
    signal: opts.signal,
  });
}

async function collect(r: StartSuccess): Promise<{ text: string; chunks: number }> {
  let text = "";
  let chunks = 0;
  for await (const ev of r.events) {
    text += ev.text;
    chunks++;
  }
  return { text, chunks };
}

async function balance() {
  return getBalance(db, { walletId, now: NOW });
}

async function expectClean() {
  const rep = await reconcileLedger(db);
  expect(rep.problems).toEqual([]);
  expect(rep.ok).toBe(true);
}

const cost = (tokensIn: number, tokensOut: number) => planTokens({ tokensIn, tokensOut, weightInMicro: W.inMicro, weightOutMicro: W.outMicro });

describe("startMeteredCompletion against the demo upstream on a loopback port", () => {
  it("streams the reply in several deltas and settles the provider's usage exactly", async () => {
    // Paced, so its deltas arrive apart (deltas that arrive together reach the consumer as one;
    // slow enough that a hold written slowly on a busy machine leaves most of them still to come).
    const r = await start({ "x-demo-tokens": 120, "x-demo-tps": 200 });
    if (!r.ok) throw new Error(r.code);
    expect(r.route.kind).toBe("demo");
    expect(r.holdAmount).toBe(cost(r.promptTokens, 1000));
    const { text, chunks } = await collect(r);
    const out = await r.done;
    expect(chunks).toBeGreaterThan(3);
    expect(out.status).toBe("ok");
    expect(out.usageSource).toBe("provider");
    expect(out.tokensIn).toBe(countChatTokens(messages));
    expect(out.tokensOut).toBe(countTokens(text));
    expect(out.planTokens).toBe(cost(out.tokensIn, out.tokensOut));
    expect(out.planTokens).toBeGreaterThan(0n);
    const b = await balance();
    expect(b.available).toBe(TRIAL - out.planTokens);
    expect(b.held).toBe(0n);
    expect(out.balance).toEqual({ available: b.available, held: 0n });
    const [u] = await db.select().from(usage).where(eq(usage.id, out.usageId!));
    expect(u).toMatchObject({
      userId,
      walletId,
      modelId: MODEL,
      providerRoute: "demo",
      status: "ok",
      usageSource: "provider",
      planTokens: out.planTokens,
      weightInMicro: W.inMicro,
      weightOutMicro: W.outMicro,
      cycle: "2026-05",
    });
    const [h] = await db.select().from(hold).where(eq(hold.id, r.holdId));
    expect(h!.state).toBe("settled");
    await expectClean();
  });

  it("a long prompt sent again is counted from memory for its user: the same hold and charge, and no other user's entry", async () => {
    const promptCounts = new TokenCountCache();
    const system = "你是一个编程助手。Answer with code and a short note. ".repeat(40);
    const long: PipelineMessage[] = [{ role: "system", content: system }, ...messages];
    const run = async () => {
      const r = await startMeteredCompletion(db, {
        userId,
        walletId,
        modelId: MODEL,
        messages: long,
        maxOutputTokens: 100,
        requestId: rid(),
        now: NOW,
        config: config({ "x-demo-tokens": 5 }, { promptCounts }),
      });
      if (!r.ok) throw new Error(r.code);
      await collect(r);
      return { held: r.holdAmount, prompt: r.promptTokens, out: await r.done };
    };
    const first = await run();
    expect(promptCounts.has(userId, system)).toBe(true);
    expect(promptCounts.has("someone-else", system)).toBe(false);
    const second = await run();
    expect(first.prompt).toBe(countChatTokens(long));
    expect(second.prompt).toBe(first.prompt);
    expect(second.held).toBe(first.held);
    expect(second.out.planTokens).toBe(first.out.planTokens);
    await expectClean();
  });

  // The abort matrix: the charge follows what the operator pays its provider.
  it("stop mid-stream: the provider call stops and everything it produced is charged", async () => {
    const ac = new AbortController();
    const r = await start({ "x-demo-tokens": 300, "x-demo-tps": 600 }, { signal: ac.signal });
    if (!r.ok) throw new Error(r.code);
    let text = "";
    let n = 0;
    for await (const ev of r.events) {
      text += ev.text;
      if (++n === 4) ac.abort();
    }
    const out = await r.done;
    expect(out.status).toBe("aborted");
    // No usage report comes from a cut call: the produced output is counted.
    expect(out.usageSource).toBe("counted");
    expect(out.tokensOut).toBeGreaterThanOrEqual(countTokens(text));
    expect(out.tokensOut).toBeLessThan(150);
    expect(out.planTokens).toBe(cost(out.tokensIn, out.tokensOut));
    expect((await balance()).available).toBe(TRIAL - out.planTokens);
    expect(text.length).toBeGreaterThan(0);
    await expectClean();
  });

  it("stop mid-stream without provider usage: what was produced is counted", async () => {
    const ac = new AbortController();
    const r = await start({ "x-demo-tokens": 300, "x-demo-tps": 600, "x-demo-no-usage": 1 }, { signal: ac.signal });
    if (!r.ok) throw new Error(r.code);
    let text = "";
    let n = 0;
    for await (const ev of r.events) {
      text += ev.text;
      if (++n === 3) ac.abort();
    }
    const out = await r.done;
    expect(out.status).toBe("aborted");
    expect(out.usageSource).toBe("counted");
    expect(out.tokensOut).toBeGreaterThanOrEqual(countTokens(text));
    expect(out.tokensOut).toBeLessThan(150);
    expect(out.planTokens).toBe(cost(r.promptTokens, out.tokensOut));
    expect((await balance()).available).toBe(TRIAL - out.planTokens);
    await expectClean();
  });

  it("a consumer that breaks out of the loop counts as gone", async () => {
    const r = await start({ "x-demo-tokens": 300, "x-demo-tps": 600, "x-demo-no-usage": 1 });
    if (!r.ok) throw new Error(r.code);
    let text = "";
    for await (const ev of r.events) {
      text += ev.text;
      break;
    }
    const out = await r.done;
    expect(out.status).toBe("aborted");
    expect(out.tokensOut).toBeGreaterThanOrEqual(countTokens(text));
    expect((await balance()).available).toBe(TRIAL - out.planTokens);
    await expectClean();
  });

  it("stop after the upstream accepted but before the first token: the prompt is charged", async () => {
    const ac = new AbortController();
    const r = await start({ "x-demo-ttft-ms": 300 }, { signal: ac.signal });
    if (!r.ok) throw new Error(r.code);
    await r.opened;
    setTimeout(() => ac.abort(), 20);
    const { chunks } = await collect(r);
    const out = await r.done;
    expect(chunks).toBe(0);
    expect(out.status).toBe("aborted");
    expect(out).toMatchObject({ tokensIn: r.promptTokens, tokensOut: 0, usageSource: "counted" });
    expect(out.planTokens).toBe(cost(r.promptTokens, 0));
    expect(out.planTokens).toBeGreaterThan(0n);
    expect(await balance()).toMatchObject({ available: TRIAL - out.planTokens, held: 0n });
    const [u] = await db.select().from(usage).where(eq(usage.holdId, r.holdId));
    expect(u).toMatchObject({ status: "aborted", planTokens: out.planTokens });
    await expectClean();
  });

  it("stop before the upstream's first byte: nothing is charged", async () => {
    const silent = await startScripted(async (_req, res) => {
      // Accepts the connection and never answers (a provider still queueing the request).
      await new Promise((r) => res.on("close", r));
    });
    try {
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 50);
      const r = await start({}, { signal: ac.signal, extra: { demoBaseUrl: silent.baseUrl } });
      if (!r.ok) throw new Error(r.code);
      const { chunks } = await collect(r);
      const out = await r.done;
      expect(chunks).toBe(0);
      expect(out.status).toBe("aborted");
      expect(out.planTokens).toBe(0n);
      expect(await balance()).toMatchObject({ available: TRIAL, held: 0n });
      await expectClean();
    } finally {
      await silent.close();
    }
  });

  it("a stream cut before its usage chunk: everything produced is counted and charged", async () => {
    const answer = "复利就是利滚利：本金产生的利息在下一期也会产生利息。".repeat(3);
    const cut = await startScripted(async (_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write(sseChunk({ role: "assistant" }));
      for (const part of answer.match(/.{1,10}/gsu)!) res.write(sseChunk({ content: part }));
      res.write(sseChunk({}, "stop"));
      // The connection drops where the usage chunk would come.
      await new Promise((r) => setTimeout(r, 20));
      res.socket?.destroy();
    });
    try {
      const r = await start({}, { extra: { demoBaseUrl: cut.baseUrl } });
      if (!r.ok) throw new Error(r.code);
      const { text } = await collect(r);
      const out = await r.done;
      expect(text).toBe(answer);
      expect(out.usageSource).toBe("counted");
      expect(out.tokensOut).toBe(countTokens(answer));
      expect(out.planTokens).toBe(cost(r.promptTokens, countTokens(answer)));
      expect(await balance()).toMatchObject({ available: TRIAL - out.planTokens, held: 0n });
      await expectClean();
    } finally {
      await cut.close();
    }
  });

  it("a reasoning-only reply is output: its reasoning is charged", async () => {
    const reasoning = "先想一想：复利就是利滚利，本金产生的利息再产生利息。".repeat(4);
    const thinker = await startScripted(async (_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write(sseChunk({ role: "assistant" }));
      for (const part of reasoning.match(/.{1,12}/gsu)!) res.write(sseChunk({ reasoning_content: part }));
      res.write(sseChunk({}, "length"));
      res.end("data: [DONE]\n\n");
    });
    try {
      const r = await start({}, { extra: { demoBaseUrl: thinker.baseUrl } });
      if (!r.ok) throw new Error(r.code);
      const { chunks } = await collect(r);
      const out = await r.done;
      expect(chunks).toBe(0);
      expect(out.status).toBe("ok");
      expect(out.usageSource).toBe("counted");
      expect(out.tokensOut).toBeGreaterThanOrEqual(countTokens(reasoning));
      expect(out.planTokens).toBe(cost(r.promptTokens, out.tokensOut));
      expect(await balance()).toMatchObject({ available: TRIAL - out.planTokens, held: 0n });
      await expectClean();
    } finally {
      await thinker.close();
    }
  });

  it("upstream error before any token: full release, error status, usage row with zero charge", async () => {
    const r = await start({ "x-demo-fail-before": 503 });
    if (!r.ok) throw new Error(r.code);
    const { chunks } = await collect(r);
    const out = await r.done;
    expect(chunks).toBe(0);
    expect(out.status).toBe("error");
    expect(out.errorCode).toBeTruthy();
    expect(out.planTokens).toBe(0n);
    expect(await balance()).toMatchObject({ available: TRIAL, held: 0n });
    const [h] = await db.select().from(hold).where(eq(hold.id, r.holdId));
    expect(h!.state).toBe("released");
    const [u] = await db.select().from(usage).where(eq(usage.holdId, r.holdId));
    expect(u).toMatchObject({ status: "error", planTokens: 0n, usageSource: "none" });
    await expectClean();
  });

  it("upstream error after N chunks: the delivered part is counted and charged, marked interrupted", async () => {
    for (const mode of ["event", "drop"]) {
      const before = (await balance()).available;
      const r = await start({ "x-demo-fail-after-chunks": 3, "x-demo-fail-mode": mode });
      if (!r.ok) throw new Error(r.code);
      const { text, chunks } = await collect(r);
      const out = await r.done;
      expect(chunks).toBeGreaterThan(0);
      expect(out.status).toBe("interrupted");
      expect(out.usageSource).toBe("counted");
      expect(out.tokensOut).toBe(countTokens(text));
      expect(out.planTokens).toBe(cost(r.promptTokens, countTokens(text)));
      expect((await balance()).available).toBe(before - out.planTokens);
      await expectClean();
    }
  });

  it("provider never reports usage: the delivered text is counted", async () => {
    const r = await start({ "x-demo-no-usage": 1, "x-demo-tokens": 80 });
    if (!r.ok) throw new Error(r.code);
    const { text } = await collect(r);
    const out = await r.done;
    expect(out.status).toBe("ok");
    expect(out.usageSource).toBe("counted");
    expect(out.tokensIn).toBe(countChatTokens(messages));
    expect(out.tokensOut).toBe(countTokens(text));
    expect(out.planTokens).toBe(cost(out.tokensIn, out.tokensOut));
    expect((await balance()).available).toBe(TRIAL - out.planTokens);
    await expectClean();
  });

  it("an explicit zero from the demo upstream (a client-set knob) is not honoured: the reply is counted", async () => {
    const r = await start({ "x-demo-zero-usage": 1 });
    if (!r.ok) throw new Error(r.code);
    const { text } = await collect(r);
    const out = await r.done;
    expect(text.length).toBeGreaterThan(0);
    expect(out).toMatchObject({ status: "ok", usageSource: "counted", tokensIn: r.promptTokens, tokensOut: countTokens(text) });
    expect(out.planTokens).toBe(cost(r.promptTokens, countTokens(text)));
    expect(await balance()).toMatchObject({ available: TRIAL - out.planTokens, held: 0n });
    await expectClean();
  });

  it("insufficient balance: the early upstream call is dropped unread, nothing held; the wallet's next request calls no model", async () => {
    const r = await start({}, { maxOutputTokens: 8192 });
    expect(r.ok).toBe(true);
    if (r.ok) {
      await collect(r);
      await r.done;
    }
    upstreamCalls = 0;
    // Spend the wallet down to less than one hold.
    const poor = await db
      .insert(user)
      .values({ phone: `139${Math.floor(Math.random() * 1e8)}` })
      .returning();
    const w2 = (await ensurePersonalWallet(db, { userId: poor[0]!.id })).id;
    await grant(db, {
      walletId: w2,
      kind: "trial",
      amount: 100n,
      expiresAt: new Date(NOW.getTime() + 86_400_000),
      source: "trial",
      idempotencyKey: `trial:${poor[0]!.id}`,
    });
    const r2 = await startMeteredCompletion(db, { userId: poor[0]!.id, walletId: w2, modelId: MODEL, messages, requestId: rid(), now: NOW, config: config() });
    expect(r2).toMatchObject({ ok: false, code: "insufficient_balance" });
    expect(upstreamCalls).toBeLessThanOrEqual(1);
    expect(await getBalance(db, { walletId: w2, now: NOW })).toMatchObject({ available: 100n, held: 0n });
    // Refused a moment ago: now the hold comes first and no model is called at all.
    await new Promise((r) => setTimeout(r, 50));
    const calls = upstreamCalls;
    const r3 = await startMeteredCompletion(db, { userId: poor[0]!.id, walletId: w2, modelId: MODEL, messages, requestId: rid(), now: NOW, config: config() });
    expect(r3).toMatchObject({ ok: false, code: "insufficient_balance" });
    await new Promise((r) => setTimeout(r, 50));
    expect(upstreamCalls).toBe(calls);
    expect(await getBalance(db, { walletId: w2, now: NOW })).toMatchObject({ available: 100n, held: 0n });
    expect(await db.select().from(usage).where(eq(usage.walletId, w2))).toEqual([]);
    await expectClean();
  });

  it("a replayed request id never charges twice and reports the first outcome", async () => {
    const requestId = rid();
    const r = await start({ "x-demo-tokens": 60 }, { requestId });
    if (!r.ok) throw new Error(r.code);
    // While the first is still running, a retry is told it is in flight.
    const inFlight = await start({ "x-demo-tokens": 60 }, { requestId });
    expect(inFlight).toMatchObject({ ok: false, code: "duplicate_request", details: { inFlight: true } });
    await collect(r);
    const out = await r.done;
    const again = await start({ "x-demo-tokens": 60 }, { requestId });
    expect(again).toMatchObject({
      ok: false,
      code: "duplicate_request",
      details: { inFlight: false, status: "ok", usageId: out.usageId, planTokens: out.planTokens.toString() },
    });
    // Same key, different prompt: still the same request, still not charged again.
    const other = await startMeteredCompletion(db, {
      userId,
      walletId,
      modelId: MODEL,
      messages: [{ role: "user", content: "另一个问题" }],
      requestId,
      now: NOW,
      config: config(),
    });
    expect(other).toMatchObject({ ok: false, code: "duplicate_request" });
    // (A retry's early upstream call is dropped unread the moment its key turns out to be taken.)
    expect(
      await db
        .select()
        .from(usage)
        .where(eq(usage.requestId, `${userId}:${requestId}`)),
    ).toHaveLength(1);
    expect((await balance()).available).toBe(TRIAL - out.planTokens);
    // Another user's identical key is a different request.
    const [u2] = await db
      .insert(user)
      .values({ phone: `139${Math.floor(Math.random() * 1e8)}` })
      .returning();
    const w2 = (await ensurePersonalWallet(db, { userId: u2!.id })).id;
    await grant(db, {
      walletId: w2,
      kind: "trial",
      amount: TRIAL,
      expiresAt: new Date(NOW.getTime() + 86_400_000),
      source: "trial",
      idempotencyKey: `trial:${u2!.id}`,
    });
    const theirs = await startMeteredCompletion(db, { userId: u2!.id, walletId: w2, modelId: MODEL, messages, requestId, now: NOW, config: config() });
    expect(theirs.ok).toBe(true);
    if (theirs.ok) {
      await collect(theirs);
      await theirs.done;
    }
    await expectClean();
  });

  it("unknown model, context too long and a failing beforeReserve hook never reserve", async () => {
    expect(
      await startMeteredCompletion(db, { userId, walletId, modelId: "no-such-model", messages, requestId: rid(), now: NOW, config: config() }),
    ).toMatchObject({ ok: false, code: "unknown_model" });
    // A pasted run without spaces must not stall the tokenizer (BPE is quadratic in run length).
    const huge: PipelineMessage[] = [{ role: "user", content: "字".repeat(140_000) }];
    const t0 = performance.now();
    // gpt-4o: a 128K context, which 140,000 characters exceed (deepseek-chat now has 1M).
    expect(
      await startMeteredCompletion(db, { userId, walletId, modelId: "gpt-4o", messages: huge, requestId: rid(), now: NOW, config: config() }),
    ).toMatchObject({
      ok: false,
      code: "context_too_long",
    });
    expect(performance.now() - t0).toBeLessThan(5_000);
    expect(
      await startMeteredCompletion(db, { userId, walletId, modelId: MODEL, messages, requestId: rid(), now: NOW, config: { ...config(), demoMode: false } }),
    ).toMatchObject({ ok: false, code: "model_unavailable" });
    const hooked = await startMeteredCompletion(db, {
      userId,
      walletId,
      modelId: MODEL,
      messages,
      requestId: rid(),
      now: NOW,
      config: config(),
      hooks: { beforeReserve: async () => ({ ok: false, code: "key_limit_reached" }) },
    });
    expect(hooked).toMatchObject({ ok: false, code: "key_limit_reached" });
    // The early upstream call (if it got out) was dropped unread; nothing was held or charged.
    expect(upstreamCalls).toBeLessThanOrEqual(1);
    expect(await balance()).toMatchObject({ available: TRIAL, held: 0n });
    expect(await db.select().from(hold).where(eq(hold.walletId, walletId))).toHaveLength(0);
  });

  it("afterSettle sees the charge and the hold", async () => {
    let seen: [bigint, bigint] | null = null;
    const r = await startMeteredCompletion(db, {
      userId,
      walletId,
      modelId: MODEL,
      messages,
      requestId: rid(),
      now: NOW,
      config: config({ "x-demo-tokens": 40 }),
      maxOutputTokens: 500,
      hooks: { afterSettle: async (charged, held) => void (seen = [charged, held]) },
    });
    if (!r.ok) throw new Error(r.code);
    await collect(r);
    const out = await r.done;
    expect(seen).toEqual([out.planTokens, r.holdAmount]);
  });

  it("a crashed request is settled by the sweeper from its recorded progress", async () => {
    const r = await start({ "x-demo-tokens": 200, "x-demo-tps": 400, "x-demo-no-usage": 1 }, { extra: { progressEveryMs: 0 } });
    if (!r.ok) throw new Error(r.code);
    const it = r.events[Symbol.asyncIterator]();
    let text = "";
    for (let i = 0; i < 5; i++) {
      const n = await it.next();
      if (n.done) break;
      text += n.value.text;
    }
    // Wait for the progress note of what was delivered so far.
    const expected = cost(r.promptTokens, countTokens(text));
    for (let i = 0; i < 100; i++) {
      const [h] = await db.select().from(hold).where(eq(hold.id, r.holdId));
      if (h!.recordedAmount !== null && h!.recordedAmount >= expected) break;
      await new Promise((res) => setTimeout(res, 10));
    }
    // The process dies: from now on nothing it started reaches the database.
    const restore = freeze(client);
    for (let n = await it.next(); !n.done; n = await it.next()) text += n.value.text;
    await new Promise((res) => setTimeout(res, 50));
    restore();
    const [h] = await db.select().from(hold).where(eq(hold.id, r.holdId));
    expect(h!.state).toBe("open");
    const recorded = h!.recordedAmount!;
    expect(recorded).toBeGreaterThanOrEqual(expected);
    expect((await balance()).held).toBe(r.holdAmount);
    // Before the TTL nothing happens; after it, the sweeper settles the recorded amount.
    expect(await sweepHolds(db, { now: NOW })).toMatchObject({ settled: 0, released: 0 });
    const later = new Date(NOW.getTime() + 601_000);
    expect(await sweepHolds(db, { now: later })).toMatchObject({ settled: 1 });
    const b = await balance();
    expect(b.held).toBe(0n);
    expect(b.available).toBe(TRIAL - recorded);
    await expectClean();
  });
});

describe("a live stream keeps its hold; whatever resolves it, every produced token is paid for", () => {
  async function waitFor(cond: () => Promise<boolean>, ms = 5000) {
    const until = Date.now() + ms;
    while (!(await cond())) {
      if (Date.now() > until) throw new Error("timed out waiting");
      await new Promise((r) => setTimeout(r, 10));
    }
  }
  const holdRow = async (id: string) => (await db.select().from(hold).where(eq(hold.id, id)))[0]!;

  it("the sweeper leaves a hold alone while its stream shows progress past the TTL", async () => {
    // A slow reply that outlives the hold's TTL: progress notes push its expiry forward.
    let clockNow = NOW.getTime();
    const clock = () => new Date(clockNow);
    const r = await start(
      { "x-demo-tokens": 60, "x-demo-tps": 40, "x-demo-no-usage": 1 },
      { extra: { holdTtlSeconds: 2, progressEveryMs: 0, heartbeatMs: 50, clock } },
    );
    if (!r.ok) throw new Error(r.code);
    const it = r.events[Symbol.asyncIterator]();
    let text = "";
    const first = await it.next();
    if (!first.done) text += first.value.text;
    // Time passes well beyond the original TTL while the stream keeps going.
    for (let i = 0; i < 5; i++) {
      clockNow += 1_500;
      const before = (await holdRow(r.holdId)).expiresAt.getTime();
      await waitFor(async () => (await holdRow(r.holdId)).expiresAt.getTime() > before);
      expect(await sweepHolds(db, { now: clock() })).toMatchObject({ settled: 0, released: 0 });
    }
    expect((await holdRow(r.holdId)).state).toBe("open");
    for (let n = await it.next(); !n.done; n = await it.next()) text += n.value.text;
    const out = await r.done;
    expect(out.status).toBe("ok");
    expect(out.tokensOut).toBe(countTokens(text));
    expect(out.planTokens).toBe(cost(r.promptTokens, countTokens(text)));
    const [u] = await db.select().from(usage).where(eq(usage.holdId, r.holdId));
    expect(u).toMatchObject({ status: "ok", planTokens: out.planTokens });
    expect(await balance()).toMatchObject({ available: TRIAL - out.planTokens, held: 0n });
    await expectClean();
  });

  it("a settle that finds its hold already resolved by the sweeper still charges the rest", async () => {
    // A stream stalled longer than its TTL (its notes carry an old clock): the sweeper takes its
    // hold from the recorded progress; when the stream ends, the rest is still charged.
    const r = await start({ "x-demo-tokens": 200, "x-demo-tps": 400, "x-demo-no-usage": 1 }, { extra: { progressEveryMs: 0 } });
    if (!r.ok) throw new Error(r.code);
    const it = r.events[Symbol.asyncIterator]();
    let text = "";
    for (let i = 0; i < 3; i++) {
      const n = await it.next();
      if (!n.done) text += n.value.text;
    }
    await waitFor(async () => ((await holdRow(r.holdId)).recordedAmount ?? 0n) > 0n);
    expect(await sweepHolds(db, { now: new Date(NOW.getTime() + 3_600_000) })).toMatchObject({ settled: 1 });
    const swept = await holdRow(r.holdId);
    for (let n = await it.next(); !n.done; n = await it.next()) text += n.value.text;
    const out = await r.done;
    const full = cost(r.promptTokens, countTokens(text));
    expect(out.planTokens).toBe(full);
    const h = await holdRow(r.holdId);
    expect(h.state).toBe("settled");
    expect(h.settledAmount! + h.lateCharged).toBe(full);
    expect(h.lateCharged).toBe(full - swept.settledAmount!);
    const [u] = await db.select().from(usage).where(eq(usage.holdId, r.holdId));
    expect(u).toMatchObject({ status: "ok", planTokens: full, tokensOut: countTokens(text) });
    expect(await balance()).toMatchObject({ available: TRIAL - full, held: 0n });
    await expectClean();
  });

  it("removing a family member stops their live stream and settles it for what was produced", async () => {
    const owner = (
      await db
        .insert(user)
        .values({ phone: `139${Math.floor(Math.random() * 1e8)}` })
        .returning()
    )[0]!.id;
    const fam = await createFamilyWallet(db, { ownerUserId: owner });
    await grant(db, {
      walletId: fam.id,
      kind: "allowance",
      amount: TRIAL,
      expiresAt: new Date(NOW.getTime() + 7 * 86_400_000),
      source: "plan",
      idempotencyKey: `plan:${fam.id}`,
    });
    await addMember(db, { walletId: fam.id, userId, capTokens: null });
    const r = await startMeteredCompletion(db, {
      userId,
      walletId: fam.id,
      modelId: MODEL,
      messages,
      maxOutputTokens: 1000,
      requestId: rid(),
      now: NOW,
      config: config({ "x-demo-tokens": 600, "x-demo-tps": 100, "x-demo-no-usage": 1 }, { progressEveryMs: 50, heartbeatMs: 50 }),
    });
    if (!r.ok) throw new Error(r.code);
    const it = r.events[Symbol.asyncIterator]();
    let text = "";
    for (let i = 0; i < 3; i++) {
      const n = await it.next();
      if (!n.done) text += n.value.text;
    }
    expect(await removeMember(db, { walletId: fam.id, userId, now: NOW })).toMatchObject({ stopping: 1, released: 0, settled: 0 });
    for (let n = await it.next(); !n.done; n = await it.next()) text += n.value.text;
    const out = await r.done;
    expect(out).toMatchObject({ status: "interrupted", errorCode: "member_removed" });
    // Stopped long before the 600 tokens it would have written, and charged for what it produced.
    expect(out.tokensOut).toBeLessThan(400);
    expect(out.tokensOut).toBeGreaterThanOrEqual(countTokens(text));
    expect(out.planTokens).toBe(cost(r.promptTokens, out.tokensOut));
    const h = await holdRow(r.holdId);
    expect(h).toMatchObject({ state: "settled", settledAmount: out.planTokens });
    expect(await getBalance(db, { walletId: fam.id, now: NOW })).toMatchObject({ available: TRIAL - out.planTokens, held: 0n });
    await expectClean();
  });
});

/** One OpenAI streaming chunk as an SSE event. */
function sseChunk(delta: Record<string, unknown>, finish: string | null = null): string {
  return `data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
}

/** A real HTTP upstream on a loopback port whose answer the test scripts. */
async function startScripted(answer: (req: IncomingMessage, res: ServerResponse) => Promise<void>): Promise<{ baseUrl: string; close: () => Promise<void> }> {
  const srv = createServer((req, res) => {
    req.resume();
    void answer(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const { port } = srv.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    close: () =>
      new Promise<void>((r) => {
        srv.closeAllConnections();
        srv.close(() => r());
      }),
  };
}

/** Makes every later call on the client hang forever, like a process that died; returns an undo. */
function freeze(c: PGlite): () => void {
  const target = c as unknown as Record<string, unknown>;
  const saved: Record<string, unknown> = {};
  for (const k of ["query", "exec", "transaction", "sql"]) {
    saved[k] = target[k];
    target[k] = () => new Promise(() => {});
  }
  return () => Object.assign(target, saved);
}

describe("放心用: the payer's automatic pack when the wallet runs dry", () => {
  it("a request that finds too little buys the chosen pack and goes through; with stop (the default) it is refused", async () => {
    const { adjust } = await import("@/lib/ledger");
    const { autoBuyPack, setSafetyNet } = await import("@/lib/plans/safety-net");
    const { embeddedCarrier } = await import("@/lib/billing/carrier");
    await adjust(db, { walletId, amount: -(TRIAL - 10n), actorUserId: userId, reason: "spent", idempotencyKey: `drain:${userId}`, now: NOW });
    const texts: string[] = [];
    const safetyNet: PipelineConfig["safetyNet"] = async (d, p) =>
      (await autoBuyPack(d, { ...p, adapter: embeddedCarrier, sender: { send: async (m) => void texts.push(m.body) } })).ok;
    const refused = await start({ "x-demo-tokens": 20 }, { extra: { safetyNet } });
    expect(refused).toMatchObject({ ok: false, code: "insufficient_balance" });
    await setSafetyNet(db, { payerUserId: userId, walletId, userId, choice: { mode: "auto_pack", packId: "p99", maxPacksPerMonth: 1 }, now: NOW });
    const r = await start({ "x-demo-tokens": 20 }, { extra: { safetyNet } });
    if (!r.ok) throw new Error(r.code);
    await collect(r);
    const out = await r.done;
    expect(out.status).toBe("ok");
    expect((await balance()).available).toBe(10n + 4_000_000n - out.planTokens);
    expect(texts).toEqual([expect.stringContaining("已自动购买加油包 400万")]);
    await expectClean();
  });
});

describe("family controls are checked in the reserve path", () => {
  it("a member in quiet hours is refused before any hold or upstream call; the owner is not", async () => {
    const { gateMember, setMemberControls } = await import("@/lib/family/controls");
    const owner = userId;
    const fam = await createFamilyWallet(db, { ownerUserId: owner });
    await grant(db, {
      walletId: fam.id,
      kind: "allowance",
      amount: 1_000_000n,
      expiresAt: new Date(NOW.getTime() + 20 * 86_400_000),
      source: "t",
      idempotencyKey: `fam:${fam.id}`,
    });
    const [kid] = await db
      .insert(user)
      .values({ phone: `139${Math.floor(Math.random() * 1e8)}` })
      .returning();
    await addMember(db, { walletId: fam.id, userId: kid!.id });
    // NOW is 12:00 in Shanghai: quiet from 11:00 to 13:00.
    await setMemberControls(db, {
      ownerUserId: owner,
      memberUserId: kid!.id,
      controls: { allowedModels: null, economyOnly: false, dailyCapTokens: null, quiet: { startMin: 11 * 60, endMin: 13 * 60 } },
      now: NOW,
    });
    const calls = upstreamCalls;
    const asKid = await startMeteredCompletion(db, {
      userId: kid!.id,
      walletId: fam.id,
      modelId: MODEL,
      messages,
      maxOutputTokens: 200,
      requestId: rid(),
      now: NOW,
      config: config({}, { memberGate: gateMember }),
    });
    expect(asKid).toMatchObject({ ok: false, code: "quiet_hours" });
    expect(await db.select().from(hold).where(eq(hold.userId, kid!.id))).toEqual([]);
    expect(upstreamCalls - calls).toBeLessThanOrEqual(1); // the call that raced the check was aborted unread
    const asOwner = await startMeteredCompletion(db, {
      userId: owner,
      walletId: fam.id,
      modelId: MODEL,
      messages,
      maxOutputTokens: 200,
      requestId: rid(),
      now: NOW,
      config: config({ "x-demo-tokens": 5 }, { memberGate: gateMember }),
    });
    if (!asOwner.ok) throw new Error(asOwner.code);
    await collect(asOwner);
    expect((await asOwner.done).status).toBe("ok");
    await expectClean();
  });
});
