import { afterAll, beforeAll, describe, expect, it } from "vitest";
import OpenAI from "openai";
import Anthropic from "@anthropic-ai/sdk";
import { generateText, isStepCount, tool } from "ai";
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import { z } from "zod";
import { eq } from "drizzle-orm";
import { createPgTestDb } from "@/lib/testing/pg-db";
import type { DbHandle } from "@/lib/db/connect";
import { apiKeySpend, usage } from "@/lib/db/schema";
import { getBalance, reconcileLedger } from "@/lib/ledger";
import { flushAfterSettle } from "@/lib/completion";
import { planTokens } from "@/lib/metering";
import { getCatalog, getModel } from "@/lib/catalog";
import { embeddingModels } from "@/lib/catalog/embedding-models";
import { startDemoUpstream, type RunningServer } from "@/lib/demo/upstream/node-server";
import { anthropicClient, client, gatewayFetch, testGateway, userWithKey } from "@/lib/testing/gateway-harness";

// Clients nobody here wrote — the official openai and Anthropic SDKs and the Vercel AI SDK —
// against the gateway on real PostgreSQL, the model being the demo upstream over real HTTP. After
// each: the ledger reconciles and the wallet paid exactly the usage the client was told.

let server: RunningServer;
let h: DbHandle & { url: string };
const MODEL = "deepseek-chat";
const paced = { "x-demo-ttft-ms": "0", "x-demo-tps": "400" };

beforeAll(async () => {
  server = await startDemoUpstream({ port: 0 });
  h = await createPgTestDb({ max: 20 });
});
afterAll(async () => {
  await flushAfterSettle();
  await h?.close();
  await server?.close();
});

let n = 0;
async function account() {
  const now = new Date();
  const u = await userWithKey(h.db, { phone: `1390010${String(1000 + ++n)}`, tokens: 20_000_000n, now });
  const before = await getBalance(h.db, { walletId: u.walletId, now });
  return { ...u, before, now };
}

/**
 * The wallet paid the sum of the usage rows, each row priced exactly at its weights from the
 * tokens the client was told (`told`: [input, output] per request, in any order), and the
 * ledger and the key's spend reconcile.
 */
async function expectPaidExactly(u: Awaited<ReturnType<typeof account>>, told: [number, number][]) {
  const rows = await h.db.select().from(usage).where(eq(usage.apiKeyId, u.keyId));
  expect(rows.map((r) => [r.tokensIn, r.tokensOut]).sort()).toEqual([...told].sort());
  for (const r of rows) {
    expect(r.status).toBe("ok");
    expect(r.planTokens).toBe(planTokens({ tokensIn: r.tokensIn, tokensOut: r.tokensOut, weightInMicro: r.weightInMicro, weightOutMicro: r.weightOutMicro }));
  }
  const total = rows.reduce((s, r) => s + r.planTokens, 0n);
  const after = await getBalance(h.db, { walletId: u.walletId, now: u.now });
  expect(u.before.total - after.total).toBe(total);
  expect(after.held).toBe(0n);
  const [spend] = await h.db.select().from(apiKeySpend).where(eq(apiKeySpend.apiKeyId, u.keyId));
  expect(spend).toMatchObject({ used: total, held: 0n });
  const rec = await reconcileLedger(h.db);
  expect(rec.ok, JSON.stringify(rec)).toBe(true);
}

describe("official clients against the gateway on PostgreSQL", () => {
  it("openai SDK: a streamed tool loop over two tools, then a json_schema answer, then embeddings", async () => {
    const u = await account();
    const gw = testGateway(h.db, server.baseUrl);
    const c = client(gw, u.apiKey, paced);
    const told: [number, number][] = [];
    const tools: OpenAI.ChatCompletionTool[] = [
      {
        type: "function",
        function: {
          name: "get_weather",
          parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"], additionalProperties: false },
        },
      },
      {
        type: "function",
        function: {
          name: "get_time",
          parameters: { type: "object", properties: { timezone: { type: "string" } }, required: ["timezone"], additionalProperties: false },
        },
      },
    ];
    const run = { get_weather: (a: { city: string }) => `${a.city}: 21°C, light rain`, get_time: (a: { timezone: string }) => `${a.timezone}: 09:30` };
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: "user", content: 'Call get_weather for "Hangzhou" and get_time for "Asia/Shanghai"' }];
    const executed: string[] = [];
    for (let turn = 0; turn < 4; turn++) {
      const stream = c.chat.completions.stream({ model: MODEL, messages, tools, stream_options: { include_usage: true }, max_tokens: 300 });
      const done = await stream.finalChatCompletion();
      told.push([done.usage!.prompt_tokens, done.usage!.completion_tokens]);
      const msg = done.choices[0]!.message;
      messages.push({ role: "assistant", content: msg.content, ...(msg.tool_calls?.length ? { tool_calls: msg.tool_calls } : {}) });
      if (done.choices[0]!.finish_reason !== "tool_calls") break;
      for (const call of msg.tool_calls!) {
        if (call.type !== "function") continue;
        const name = call.function.name as keyof typeof run;
        executed.push(name);
        messages.push({ role: "tool", tool_call_id: call.id, content: run[name](JSON.parse(call.function.arguments)) });
      }
    }
    expect(executed).toEqual(["get_weather", "get_time"]);
    const final = messages.at(-1) as OpenAI.ChatCompletionAssistantMessageParam;
    expect(final.content).toContain("Hangzhou: 21°C, light rain");
    expect(final.content).toContain("Asia/Shanghai: 09:30");

    const schema = z.object({ city: z.string(), temperature_c: z.number(), advice: z.array(z.string()).min(1) });
    const parsed = await c.chat.completions.parse({
      model: MODEL,
      messages: [{ role: "user", content: 'The weather in "Hangzhou" as JSON' }],
      response_format: {
        type: "json_schema",
        json_schema: { name: "weather", strict: true, schema: z.toJSONSchema(schema) as Record<string, unknown> },
      },
      max_tokens: 200,
    });
    const value = schema.parse(JSON.parse(parsed.choices[0]!.message.content!));
    expect(value.city).toBe("Hangzhou");
    told.push([parsed.usage!.prompt_tokens, parsed.usage!.completion_tokens]);

    const emb = await c.embeddings.create({ model: "text-embedding-3-small", input: ["流量包怎么买", "How do I buy a data pack?"] });
    expect(emb.data.map((d) => d.embedding.length)).toEqual([1536, 1536]);
    told.push([emb.usage.prompt_tokens, 0]);
    await expectPaidExactly(u, told);
    // The embeddings row is priced at the embedding model's input weight.
    const w = embeddingModels(getCatalog().referencePrice).find((m) => m.id === "text-embedding-3-small")!.weightInMicro;
    const [row] = await h.db.select().from(usage).where(eq(usage.modelId, "text-embedding-3-small"));
    expect(row!.weightInMicro).toBe(w);
  });

  it("Anthropic SDK: a streamed tool_use round trip", async () => {
    const u = await account();
    const c = anthropicClient(testGateway(h.db, server.baseUrl), u.apiKey, paced);
    const tools: Anthropic.Tool[] = [
      {
        name: "run_tests",
        description: "Run the project's tests",
        input_schema: { type: "object", properties: { pattern: { type: "string" } }, required: ["pattern"] },
      },
    ];
    const messages: Anthropic.MessageParam[] = [{ role: "user", content: 'Use run_tests with "lib/gateway"' }];
    const told: [number, number][] = [];
    const first = await c.messages.stream({ model: MODEL, max_tokens: 300, system: "You are a coding agent.", tools, messages }).finalMessage();
    told.push([first.usage.input_tokens, first.usage.output_tokens]);
    expect(first.stop_reason).toBe("tool_use");
    const use = first.content.find((b): b is Anthropic.ToolUseBlock => b.type === "tool_use")!;
    expect(use.input).toEqual({ pattern: "lib/gateway" });
    messages.push({ role: "assistant", content: first.content });
    messages.push({ role: "user", content: [{ type: "tool_result", tool_use_id: use.id, content: "42 passed, 0 failed" }] });
    let streamed = "";
    const second = c.messages.stream({ model: MODEL, max_tokens: 300, system: "You are a coding agent.", tools, messages });
    second.on("text", (t) => (streamed += t));
    const answer = await second.finalMessage();
    told.push([answer.usage.input_tokens, answer.usage.output_tokens]);
    expect(answer.stop_reason).toBe("end_turn");
    expect(streamed).toContain("42 passed, 0 failed");
    await expectPaidExactly(u, told);
  });

  it("Vercel AI SDK: generateText with tools over several steps", async () => {
    const u = await account();
    const gw = testGateway(h.db, server.baseUrl);
    const provider = createOpenAICompatible({
      name: "unitoken",
      baseURL: "http://gateway.test/v1",
      apiKey: u.apiKey,
      headers: paced,
      fetch: gatewayFetch(gw),
      includeUsage: true,
    });
    const calls: string[] = [];
    const result = await generateText({
      model: provider.chatModel(MODEL),
      maxRetries: 0,
      tools: {
        lookup_plan: tool({
          description: "Look up a token plan by name",
          inputSchema: z.object({ name: z.string() }),
          execute: async ({ name }) => {
            calls.push(name);
            return { name, tokens: "1500万", price: "¥39.9/月" };
          },
        }),
      },
      stopWhen: isStepCount(4),
      prompt: 'Use lookup_plan for "基础套餐" and tell me its price',
      maxOutputTokens: 300,
    });
    expect(calls).toEqual(["基础套餐"]);
    expect(result.steps.length).toBeGreaterThanOrEqual(2);
    expect(result.steps[0]!.finishReason).toBe("tool-calls");
    expect(result.text).toContain("¥39.9/月");
    const told = result.steps.map((s): [number, number] => [s.usage.inputTokens!, s.usage.outputTokens!]);
    expect(result.totalUsage.inputTokens).toBe(told.reduce((a, t) => a + t[0], 0));
    await expectPaidExactly(u, told);
    expect(getModel(MODEL)).toBeTruthy();
  });
});
