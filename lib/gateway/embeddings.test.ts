import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { createTestDb } from "@/lib/testing/db";
import type { Database } from "@/lib/db/types";
import { apiKeySpend, usage } from "@/lib/db/schema";
import { getBalance, reconcileLedger } from "@/lib/ledger";
import { countTokens, planTokens } from "@/lib/metering";
import { getCatalog } from "@/lib/catalog";
import { embeddingModels } from "@/lib/catalog/embedding-models";
import { startDemoUpstream, type RunningServer } from "@/lib/demo/upstream/node-server";
import { client, gatewayFetch, testGateway, userWithKey } from "@/lib/testing/gateway-harness";

// POST /v1/embeddings through the openai client, the gateway and the demo upstream over HTTP:
// held and settled on the ledger like a prompt.

let server: RunningServer;
let db: Database;
let close: () => Promise<void>;
let n = 0;
const phone = () => `1390008${String(1000 + ++n)}`;
const MODEL = "text-embedding-3-small";
const weight = () => embeddingModels(getCatalog().referencePrice).find((m) => m.id === MODEL)!.weightInMicro;

beforeAll(async () => {
  server = await startDemoUpstream({ port: 0 });
  ({ db, close } = await createTestDb());
});
afterAll(async () => {
  await close();
  await server.close();
});

const cos = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i]!, 0);

describe("embeddings through the gateway", () => {
  it("embeds a batch (base64 by default in the SDK, decoded), charges its input tokens exactly, and reconciles", async () => {
    const now = new Date();
    const u = await userWithKey(db, { phone: phone(), tokens: 5_000_000n, now });
    const c = client(testGateway(db, server.baseUrl), u.apiKey);
    const before = await getBalance(db, { walletId: u.walletId, now });
    const input = ["套餐流量用完了怎么办", "套餐流量用完怎么加包", "The cat sat on the mat"];
    const res = await c.embeddings.create({ model: MODEL, input });
    expect(res.data).toHaveLength(3);
    expect(res.data.map((d) => d.index)).toEqual([0, 1, 2]);
    expect(res.data[0]!.embedding).toHaveLength(1536);
    const [a, b, x] = res.data.map((d) => d.embedding);
    expect(cos(a!, a!)).toBeCloseTo(1, 5);
    expect(cos(a!, b!)).toBeGreaterThan(cos(a!, x!) + 0.3);
    const tokens = input.reduce((s, t) => s + countTokens(t), 0);
    expect(res.usage).toEqual({ prompt_tokens: tokens, total_tokens: tokens });
    const [row] = await db.select().from(usage).where(eq(usage.apiKeyId, u.keyId));
    expect(row).toMatchObject({ modelId: MODEL, tokensIn: tokens, tokensOut: 0, status: "ok", usageSource: "provider" });
    expect(row!.planTokens).toBe(planTokens({ tokensIn: tokens, tokensOut: 0, weightInMicro: weight(), weightOutMicro: 0n }));
    const after = await getBalance(db, { walletId: u.walletId, now });
    expect(before.total - after.total).toBe(row!.planTokens);
    expect(after.held).toBe(0n);
    const [spend] = await db.select().from(apiKeySpend).where(eq(apiKeySpend.apiKeyId, u.keyId));
    expect(spend).toMatchObject({ used: row!.planTokens, held: 0n });
    expect((await reconcileLedger(db)).ok).toBe(true);
  });

  it("shortens with dimensions, answers floats when asked, is deterministic, and lists embedding models", async () => {
    const u = await userWithKey(db, { phone: phone(), tokens: 5_000_000n, now: new Date() });
    const c = client(testGateway(db, server.baseUrl), u.apiKey);
    const one = await c.embeddings.create({ model: MODEL, input: "hello", dimensions: 256, encoding_format: "float" });
    const two = await c.embeddings.create({ model: MODEL, input: "hello", dimensions: 256, encoding_format: "float" });
    expect(one.data[0]!.embedding).toHaveLength(256);
    expect(one.data[0]!.embedding).toEqual(two.data[0]!.embedding);
    const tokenIds = await c.embeddings.create({ model: MODEL, input: [[15339, 1917]], encoding_format: "float" });
    expect(tokenIds.usage.prompt_tokens).toBe(2);
    const ids = (await c.models.list()).data.map((m) => m.id);
    expect(ids).toContain(MODEL);
  });

  it("refuses bad requests by parameter, charges nothing when the provider fails, and refuses an empty wallet", async () => {
    const now = new Date();
    const u = await userWithKey(db, { phone: phone(), tokens: 5_000_000n, now });
    const gw = testGateway(db, server.baseUrl);
    const f = gatewayFetch(gw);
    const post = async (body: Record<string, unknown>, apiKey = u.apiKey, headers: Record<string, string> = {}) => {
      const r = await f("http://gateway.test/v1/embeddings", {
        method: "POST",
        headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json", ...headers },
        body: JSON.stringify(body),
      });
      return { status: r.status, body: (await r.json()) as { error?: { param: string | null; code: string | null } } };
    };
    expect((await post({ model: MODEL, input: "x", dimensions: 5000 })).body.error).toMatchObject({ param: "dimensions" });
    expect((await post({ model: "text-embedding-ada-002", input: "x", dimensions: 256 })).body.error).toMatchObject({ param: "dimensions" });
    expect((await post({ model: MODEL, input: "" })).body.error).toMatchObject({ param: "input" });
    expect((await post({ model: MODEL, input: "x", foo: 1 })).body.error).toMatchObject({ param: "foo" });
    expect((await post({ model: "deepseek-chat", input: "x" })).body.error).toMatchObject({ param: "model" });
    expect((await post({ model: "nope-embed", input: "x" })).status).toBe(404);
    const failed = await post({ model: MODEL, input: "x" }, u.apiKey, { "x-demo-fail-before": "503" });
    expect(failed.status).toBe(502);
    const rows = await db.select().from(usage).where(eq(usage.apiKeyId, u.keyId));
    expect(rows.reduce((s, r) => s + r.planTokens, 0n)).toBe(0n);
    expect((await getBalance(db, { walletId: u.walletId, now })).held).toBe(0n);
    const poor = await userWithKey(db, { phone: phone(), tokens: 0n, now });
    const refused = await post({ model: MODEL, input: "hello" }, poor.apiKey);
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({ code: "insufficient_quota" });
    expect((await reconcileLedger(db)).ok).toBe(true);
  });
});
