import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import OpenAI from "openai";
import { eq } from "drizzle-orm";
import { createTestDb } from "@/lib/testing/db";
import type { Database } from "@/lib/db/types";
import { apiKeySpend, usage } from "@/lib/db/schema";
import { getBalance } from "@/lib/ledger";
import { countChatTokens, countTokens, holdFor } from "@/lib/metering";

import { getModel } from "@/lib/catalog";
import { startDemoUpstream, type RunningServer } from "@/lib/demo/upstream/node-server";
import { revokeApiKey } from "@/lib/apikeys/keys";
import { cycleOf } from "@/lib/core/cycle";
import { client, testGateway, userWithKey } from "@/lib/testing/gateway-harness";
import { OVERHEAD_HEADER } from "./gateway";

let server: RunningServer;
let db: Database;
let close: () => Promise<void>;
const fast = { "x-demo-ttft-ms": "0", "x-demo-tps": "0" };
const MODEL = "deepseek-chat";
let n = 0;
const phone = () => `1390000${String(1000 + ++n)}`;

beforeAll(async () => {
  server = await startDemoUpstream({ port: 0 });
});
afterAll(() => server.close());
beforeEach(async () => {
  ({ db, close } = await createTestDb());
});
afterEach(async () => close());

async function usageRows(keyId: string) {
  return db.select().from(usage).where(eq(usage.apiKeyId, keyId));
}

async function waitFor<T>(fn: () => Promise<T | undefined | false>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("the openai client against the gateway", () => {
  it("streams with usage, charges the wallet exactly the usage row, and records the key", async () => {
    const now = new Date();
    const u = await userWithKey(db, { phone: phone(), tokens: 5_000_000n, now });
    const gw = testGateway(db, server.baseUrl);
    const before = await getBalance(db, { walletId: u.walletId, now });
    const { data: stream, response } = await client(gw, u.apiKey, fast)
      .chat.completions.create({
        model: MODEL,
        messages: [{ role: "user", content: "Hello there" }],
        stream: true,
        stream_options: { include_usage: true },
        max_tokens: 60,
      })
      .withResponse();
    expect(Number(response.headers.get(OVERHEAD_HEADER))).toBeGreaterThanOrEqual(0);
    expect(response.headers.get("x-ratelimit-limit-requests")).toBe("1000");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    let text = "";
    let usageChunk: OpenAI.CompletionUsage | undefined | null;
    let finish: string | null = null;
    let chunks = 0;
    for await (const c of stream) {
      chunks++;
      // As OpenAI's: the first chunk names the role and carries no text.
      if (chunks === 1) expect(c.choices[0]?.delta).toEqual({ role: "assistant", content: "" });
      else expect(c.choices[0]?.delta.role).toBeUndefined();
      if (c.choices[0]?.delta.content) text += c.choices[0].delta.content;
      if (c.choices[0]?.finish_reason) finish = c.choices[0].finish_reason;
      if (c.usage) usageChunk = c.usage;
    }
    expect(chunks).toBeGreaterThan(3);
    expect(text.length).toBeGreaterThan(0);
    expect(finish).toMatch(/stop|length/);
    expect(usageChunk).toBeTruthy();
    expect(usageChunk!.completion_tokens).toBe(countTokens(text));
    expect(usageChunk!.total_tokens).toBe(usageChunk!.prompt_tokens + usageChunk!.completion_tokens);
    const [row] = await usageRows(u.keyId);
    expect(row).toMatchObject({ status: "ok", tokensOut: usageChunk!.completion_tokens, tokensIn: usageChunk!.prompt_tokens, userId: u.userId });
    const after = await getBalance(db, { walletId: u.walletId, now });
    expect(before.total - after.total).toBe(row!.planTokens);
    expect(after.held).toBe(0n);
    const [spend] = await db.select().from(apiKeySpend).where(eq(apiKeySpend.apiKeyId, u.keyId));
    expect(spend).toMatchObject({ used: row!.planTokens, held: 0n, cycle: cycleOf(new Date()) });
  });

  it("answers without streaming in OpenAI's shape", async () => {
    const u = await userWithKey(db, { phone: phone(), tokens: 5_000_000n, now: new Date() });
    const gw = testGateway(db, server.baseUrl);
    const { data: res, response } = await client(gw, u.apiKey, fast)
      .chat.completions.create({
        model: MODEL,
        messages: [
          { role: "system", content: "Be brief" },
          { role: "user", content: [{ type: "text", text: "Hi" }] },
        ],
        max_completion_tokens: 40,
      })
      .withResponse();
    expect(res.object).toBe("chat.completion");
    expect(res.id).toMatch(/^chatcmpl-/);
    expect(res.choices[0]!.message.role).toBe("assistant");
    const content = res.choices[0]!.message.content!;
    expect(content.length).toBeGreaterThan(0);
    expect(res.usage!.completion_tokens).toBe(countTokens(content));
    expect(res.usage!.completion_tokens).toBeLessThanOrEqual(40);
    expect(response.headers.get(OVERHEAD_HEADER)).toMatch(/^\d+\.\d\d$/);
    const [row] = await usageRows(u.keyId);
    expect(response.headers.get("x-unitoken-plan-tokens")).toBe(row!.planTokens.toString());
  });

  it("lists the models a key may call", async () => {
    const u = await userWithKey(db, { phone: phone(), tokens: 1_000n, now: new Date(), key: { models: [MODEL] } });
    const all = await userWithKey(db, { phone: phone(), tokens: 1_000n, now: new Date() });
    const gw = testGateway(db, server.baseUrl);
    const restricted = [];
    for await (const m of client(gw, u.apiKey).models.list()) restricted.push(m.id);
    expect(restricted).toEqual([MODEL]);
    const page = await client(gw, all.apiKey).models.list();
    expect(page.data.length).toBeGreaterThan(50);
    expect(page.data[0]).toMatchObject({ object: "model" });
  });

  it("an abort mid-stream stops the provider call and charges what it produced", async () => {
    const now = new Date();
    const u = await userWithKey(db, { phone: phone(), tokens: 5_000_000n, now });
    const gw = testGateway(db, server.baseUrl);
    const before = await getBalance(db, { walletId: u.walletId, now });
    const ac = new AbortController();
    const stream = await client(gw, u.apiKey, { "x-demo-ttft-ms": "0", "x-demo-tps": "100", "x-demo-tokens": "300" }).chat.completions.create(
      { model: MODEL, messages: [{ role: "user", content: "Tell me a long story" }], stream: true, max_tokens: 400 },
      { signal: ac.signal },
    );
    let text = "";
    let got = 0;
    // The client swallows its own abort and just ends the iteration.
    for await (const c of stream) {
      text += c.choices[0]?.delta.content ?? "";
      if (++got === 5) ac.abort();
    }
    expect(got).toBeLessThan(20);
    const row = await waitFor(async () => (await usageRows(u.keyId))[0]);
    expect(row.status).toBe("aborted");
    const delivered = countTokens(text);
    expect(row.tokensOut).toBeGreaterThan(0);
    // The provider call stops with the client: what it produced until then is charged (at most
    // what was in flight beyond the delivered text), far below the 300-token reply.
    expect(row.tokensOut).toBeGreaterThanOrEqual(delivered);
    expect(row.tokensOut).toBeLessThan(100);
    const after = await getBalance(db, { walletId: u.walletId, now });
    expect(before.total - after.total).toBe(row.planTokens);
    expect(after.held).toBe(0n);
    const spend = await waitFor(async () => {
      const [s] = await db.select().from(apiKeySpend).where(eq(apiKeySpend.apiKeyId, u.keyId));
      return s && s.held === 0n ? s : undefined;
    });
    expect(spend.used).toBe(row.planTokens);
  });
});

describe("refusals as OpenAI error objects", () => {
  it("401 for a missing, malformed, forged or revoked key", async () => {
    const u = await userWithKey(db, { phone: phone(), tokens: 1_000_000n, now: new Date() });
    const gw = testGateway(db, server.baseUrl);
    const ask = (key: string) => client(gw, key, fast).chat.completions.create({ model: MODEL, messages: [{ role: "user", content: "hi" }] });
    await expect(ask("sk-nonsense")).rejects.toMatchObject({ status: 401, code: "invalid_api_key", type: "invalid_request_error" });
    const forged = u.apiKey.slice(0, -1) + (u.apiKey.endsWith("A") ? "B" : "A");
    await expect(ask(forged)).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    await ask(u.apiKey); // warms the cache
    await revokeApiKey(db, { userId: u.userId, keyId: u.keyId, now: new Date() });
    const err = await ask(u.apiKey).catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(err.message).toMatch(/revoked/);
    expect(err.headers.get(OVERHEAD_HEADER)).toBeTruthy();
    expect(err.headers.get("x-content-type-options")).toBe("nosniff");
    expect(await usageRows(u.keyId)).toHaveLength(1);
  });

  it("429 insufficient_quota when the wallet is short, and nothing is held", async () => {
    const now = new Date();
    const u = await userWithKey(db, { phone: phone(), tokens: 10n, now });
    const gw = testGateway(db, server.baseUrl);
    const err = await client(gw, u.apiKey, fast)
      .chat.completions.create({ model: MODEL, messages: [{ role: "user", content: "hi" }], max_tokens: 500 })
      .catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    expect(err).toMatchObject({ status: 429, code: "insufficient_quota", type: "insufficient_quota" });
    expect((await getBalance(db, { walletId: u.walletId, now })).held).toBe(0n);
    // The key's own reservation was given back too.
    const [s] = await db.select().from(apiKeySpend).where(eq(apiKeySpend.apiKeyId, u.keyId));
    expect(s?.held ?? 0n).toBe(0n);
  });

  it("429 insufficient_quota at the key's monthly cap, while the wallet still has plenty", async () => {
    const now = new Date();
    const msgs = [{ role: "user" as const, content: "hi" }];
    const hold = holdFor({ promptTokens: countChatTokens(msgs), maxOutputTokens: 20, weights: getModel(MODEL)!.weights });
    const cap = (hold * 5n) / 2n;
    const u = await userWithKey(db, { phone: phone(), tokens: 50_000_000n, now, key: { monthlyCapTokens: cap } });
    const gw = testGateway(db, server.baseUrl);
    const c = client(gw, u.apiKey, fast);
    const small = () => c.chat.completions.create({ model: MODEL, messages: msgs, max_tokens: 20 });
    let ok = 0;
    let refused: unknown;
    for (let i = 0; i < 40 && !refused; i++) {
      try {
        await small();
        ok++;
      } catch (e) {
        refused = e;
      }
    }
    expect(ok).toBeGreaterThan(0);
    expect(refused).toMatchObject({ status: 429, code: "insufficient_quota" });
    expect((refused as Error).message).toMatch(/API key.*cap/);
    const [s] = await db.select().from(apiKeySpend).where(eq(apiKeySpend.apiKeyId, u.keyId));
    expect(s!.used + s!.held).toBeLessThanOrEqual(cap);
    const total = (await usageRows(u.keyId)).reduce((a, r) => a + r.planTokens, 0n);
    expect(s!.used).toBe(total);
    // Concurrent requests at the cap edge never overshoot it.
    await Promise.allSettled(Array.from({ length: 8 }, small));
    const [s2] = await db.select().from(apiKeySpend).where(eq(apiKeySpend.apiKeyId, u.keyId));
    expect(s2!.used + s2!.held).toBeLessThanOrEqual(cap);
  });

  it("403 for a model outside the key's allowlist; 404 for an unknown model; 400 for a bad body", async () => {
    const u = await userWithKey(db, { phone: phone(), tokens: 5_000_000n, now: new Date(), key: { models: [MODEL] } });
    const gw = testGateway(db, server.baseUrl);
    const c = client(gw, u.apiKey, fast);
    await expect(c.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "hi" }] })).rejects.toMatchObject({
      status: 403,
      code: "model_not_allowed",
    });
    const res = await c.chat.completions.create({ model: MODEL, messages: [{ role: "user", content: "hi" }], max_tokens: 5 });
    expect(res.choices[0]!.message.content).toBeTruthy();
    const open = await userWithKey(db, { phone: phone(), tokens: 5_000_000n, now: new Date() });
    const c2 = client(gw, open.apiKey, fast);
    await expect(c2.chat.completions.create({ model: "no-such-model", messages: [{ role: "user", content: "hi" }] })).rejects.toBeInstanceOf(
      OpenAI.NotFoundError,
    );
    await expect(c2.chat.completions.create({ model: MODEL, messages: [] })).rejects.toMatchObject({
      status: 400,
      type: "invalid_request_error",
      param: "messages",
    });
    await expect(c2.chat.completions.create({ model: MODEL, messages: [{ role: "user", content: "hi" }], n: 2 })).rejects.toBeInstanceOf(
      OpenAI.BadRequestError,
    );
    expect(await usageRows(open.keyId)).toHaveLength(0);
  });

  it("per-key rate limit with x-ratelimit headers and 429 rate_limit_exceeded", async () => {
    const u = await userWithKey(db, { phone: phone(), tokens: 5_000_000n, now: new Date() });
    const other = await userWithKey(db, { phone: phone(), tokens: 5_000_000n, now: new Date() });
    const gw = testGateway(db, server.baseUrl, { rateLimit: { limit: 3, windowMs: 60_000 } });
    const c = client(gw, u.apiKey, fast);
    const remaining: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { response } = await c.models.list().withResponse();
      remaining.push(response.headers.get("x-ratelimit-remaining-requests")!);
    }
    expect(remaining).toEqual(["2", "1", "0"]);
    const err = await c.chat.completions.create({ model: MODEL, messages: [{ role: "user", content: "hi" }] }).catch((e) => e);
    expect(err).toMatchObject({ status: 429, code: "rate_limit_exceeded" });
    expect(err.headers.get("retry-after")).toBe("20");
    expect(err.headers.get("x-ratelimit-reset-requests")).toMatch(/s$/);
    expect(await usageRows(u.keyId)).toHaveLength(0);
    // Another key is not affected.
    await expect(client(gw, other.apiKey, fast).models.list()).resolves.toBeTruthy();
  });
});
