import { afterAll, beforeAll, describe, expect, it } from "vitest";
import OpenAI from "openai";
import { z } from "zod";
import { eq } from "drizzle-orm";
import { createTestDb } from "@/lib/testing/db";
import type { Database } from "@/lib/db/types";
import { usage } from "@/lib/db/schema";
import { getBalance, reconcileLedger } from "@/lib/ledger";
import { countChatTokens, countDefinitionTokens, countTokens, definitionsText, holdFor } from "@/lib/metering";
import { getModel } from "@/lib/catalog";
import { startDemoUpstream, type RunningServer } from "@/lib/demo/upstream/node-server";
import { client, gatewayFetch, testGateway, userWithKey } from "@/lib/testing/gateway-harness";
import type { StartInput, StartResult } from "@/lib/completion/types";
import { startMeteredCompletion } from "@/lib/completion";

// Tool calls, structured output and the parameters a route cannot honour, through the openai
// client, the gateway and the demo upstream over real HTTP, on one PGlite database.

let server: RunningServer;
let db: Database;
let close: () => Promise<void>;
const fast = { "x-demo-ttft-ms": "0", "x-demo-tps": "0" };
const MODEL = "deepseek-chat";
let n = 0;
const phone = () => `1390007${String(1000 + ++n)}`;

beforeAll(async () => {
  server = await startDemoUpstream({ port: 0 });
  ({ db, close } = await createTestDb());
});
afterAll(async () => {
  await close();
  await server.close();
});

const weatherSchema = {
  type: "object",
  properties: {
    city: { type: "string", minLength: 1 },
    unit: { type: "string", enum: ["celsius", "fahrenheit"] },
    days: { type: "integer", minimum: 1, maximum: 7 },
  },
  required: ["city", "unit", "days"],
  additionalProperties: false,
};
const tools: OpenAI.ChatCompletionTool[] = [
  { type: "function", function: { name: "get_weather", description: "Weather for a city", parameters: weatherSchema } },
  {
    type: "function",
    function: {
      name: "get_time",
      description: "Local time in a timezone",
      parameters: { type: "object", properties: { timezone: { type: "string" } }, required: ["timezone"] },
    },
  },
];

describe("tool calls through the gateway", () => {
  it("streams a tool call valid for its schema, then answers from the tool result; every request charged its reported usage", async () => {
    const now = new Date();
    const u = await userWithKey(db, { phone: phone(), tokens: 5_000_000n, now });
    const gw = testGateway(db, server.baseUrl);
    // Paced, so the call arrives in several pieces.
    const c = client(gw, u.apiKey, { "x-demo-ttft-ms": "0", "x-demo-tps": "400" });
    const before = await getBalance(db, { walletId: u.walletId, now });
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: "user", content: 'Use get_weather for "Hangzhou" over 3 days' }];
    const stream = await c.chat.completions.create({ model: MODEL, messages, tools, stream: true, stream_options: { include_usage: true }, max_tokens: 200 });
    const calls = new Map<number, { id: string; name: string; args: string }>();
    let finish: string | null = null;
    let reported: OpenAI.CompletionUsage | undefined;
    let deltas = 0;
    for await (const ch of stream) {
      for (const t of ch.choices[0]?.delta.tool_calls ?? []) {
        deltas++;
        const cur = calls.get(t.index) ?? { id: "", name: "", args: "" };
        if (t.id) cur.id = t.id;
        if (t.function?.name) cur.name += t.function.name;
        cur.args += t.function?.arguments ?? "";
        calls.set(t.index, cur);
      }
      if (ch.choices[0]?.finish_reason) finish = ch.choices[0].finish_reason;
      if (ch.usage) reported = ch.usage;
    }
    expect(finish).toBe("tool_calls");
    // Pieces that pile up while the hold is written go out together; at least the call itself streamed.
    expect(deltas).toBeGreaterThanOrEqual(1);
    const call = calls.get(0)!;
    expect(call.name).toBe("get_weather");
    expect(call.id).toMatch(/^call_/);
    const args = JSON.parse(call.args);
    expect(z.fromJSONSchema(weatherSchema as z.core.JSONSchema.JSONSchema).safeParse(args).success).toBe(true);
    expect(args).toMatchObject({ city: "Hangzhou", days: 3 });
    // Prompt: the messages and the tool definitions; output: the call's name and arguments.
    const prompt = countChatTokens([{ role: "user", content: messages[0]!.content as string }]) + countDefinitionTokens(definitionsText({ tools }));
    expect(reported).toMatchObject({ prompt_tokens: prompt, completion_tokens: countTokens(call.name + call.args) });

    // The tool's result goes back; the answer uses it.
    const result = '{"temp_c": 21, "sky": "light rain"}';
    const next: OpenAI.ChatCompletionMessageParam[] = [
      ...messages,
      { role: "assistant", content: null, tool_calls: [{ id: call.id, type: "function", function: { name: call.name, arguments: call.args } }] },
      { role: "tool", tool_call_id: call.id, content: result },
    ];
    const answer = await c.chat.completions.create({ model: MODEL, messages: next, tools, max_tokens: 200 });
    expect(answer.choices[0]!.finish_reason).toBe("stop");
    expect(answer.choices[0]!.message.content).toContain(result);
    const secondPrompt =
      countChatTokens([
        { role: "user", content: messages[0]!.content as string },
        { role: "assistant", content: "", toolCalls: [{ id: call.id, function: { name: call.name, arguments: call.args } }] },
        { role: "tool", content: result, toolCallId: call.id },
      ]) + countDefinitionTokens(definitionsText({ tools }));
    expect(answer.usage!.prompt_tokens).toBe(secondPrompt);

    const rows = await db.select().from(usage).where(eq(usage.apiKeyId, u.keyId));
    expect(rows).toHaveLength(2);
    const w = getModel(MODEL)!.weights;
    for (const r of rows) expect(r.planTokens).toBe((BigInt(r.tokensIn) * w.inMicro + BigInt(r.tokensOut) * w.outMicro + 999_999n) / 1_000_000n);
    expect(rows.map((r) => r.tokensIn).sort()).toEqual([prompt, secondPrompt].sort());
    const after = await getBalance(db, { walletId: u.walletId, now });
    expect(before.total - after.total).toBe(rows.reduce((a, r) => a + r.planTokens, 0n));
    expect((await reconcileLedger(db)).ok).toBe(true);
  });

  it("calls two tools in parallel without streaming, one when parallel calls are off, and none when the message does not ask", async () => {
    const u = await userWithKey(db, { phone: phone(), tokens: 5_000_000n, now: new Date() });
    const c = client(testGateway(db, server.baseUrl), u.apiKey, fast);
    const content = 'Call get_weather for "Paris" and get_time for "Europe/Paris"';
    const both = await c.chat.completions.create({ model: MODEL, messages: [{ role: "user", content }], tools, max_tokens: 300 });
    const msg = both.choices[0]!.message;
    expect(both.choices[0]!.finish_reason).toBe("tool_calls");
    expect(msg.content).toBeNull();
    expect(msg.tool_calls!.map((t) => (t.type === "function" ? t.function.name : ""))).toEqual(["get_weather", "get_time"]);
    expect(new Set(msg.tool_calls!.map((t) => t.id)).size).toBe(2);
    const one = await c.chat.completions.create({ model: MODEL, messages: [{ role: "user", content }], tools, parallel_tool_calls: false, max_tokens: 300 });
    expect(one.choices[0]!.message.tool_calls).toHaveLength(1);
    const forced = await c.chat.completions.create({
      model: MODEL,
      messages: [{ role: "user", content: "what time is it" }],
      tools,
      tool_choice: { type: "function", function: { name: "get_time" } },
      max_tokens: 300,
    });
    expect(forced.choices[0]!.message.tool_calls![0]).toMatchObject({ function: { name: "get_time" } });
    const none = await c.chat.completions.create({ model: MODEL, messages: [{ role: "user", content: "Tell me a joke" }], tools, max_tokens: 50 });
    expect(none.choices[0]!.message.tool_calls).toBeUndefined();
    expect(none.choices[0]!.message.content!.length).toBeGreaterThan(0);
  });

  it("answers json_schema and json_object response formats with valid JSON, the schema counted as prompt", async () => {
    const u = await userWithKey(db, { phone: phone(), tokens: 5_000_000n, now: new Date() });
    const c = client(testGateway(db, server.baseUrl), u.apiKey, fast);
    const schema = {
      type: "object",
      properties: {
        title: { type: "string" },
        tags: { type: "array", items: { type: "string" }, minItems: 2 },
        score: { type: "number", minimum: 0, maximum: 1 },
      },
      required: ["title", "tags", "score"],
      additionalProperties: false,
    };
    const response_format = { type: "json_schema" as const, json_schema: { name: "summary", schema, strict: true } };
    const res = await c.chat.completions.create({
      model: MODEL,
      messages: [{ role: "user", content: "Summarize token plans" }],
      response_format,
      max_tokens: 200,
    });
    const parsed = JSON.parse(res.choices[0]!.message.content!);
    expect(z.fromJSONSchema(schema as z.core.JSONSchema.JSONSchema).safeParse(parsed).success).toBe(true);
    expect(res.usage!.prompt_tokens).toBe(
      countChatTokens([{ role: "user", content: "Summarize token plans" }]) + countDefinitionTokens(definitionsText({ response_format })),
    );
    const obj = await c.chat.completions.create({
      model: MODEL,
      messages: [{ role: "user", content: "Reply in JSON" }],
      response_format: { type: "json_object" },
      stream: true,
      max_tokens: 200,
    });
    let text = "";
    for await (const ch of obj) text += ch.choices[0]?.delta.content ?? "";
    expect(typeof JSON.parse(text)).toBe("object");
  });

  it("takes images for a vision model, counted as prompt", async () => {
    const u = await userWithKey(db, { phone: phone(), tokens: 5_000_000n, now: new Date() });
    const c = client(testGateway(db, server.baseUrl), u.apiKey, fast);
    const content: OpenAI.ChatCompletionContentPart[] = [
      { type: "text", text: "What is in this picture?" },
      { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=", detail: "low" } },
    ];
    const res = await c.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content }], max_tokens: 30 });
    expect(res.usage!.prompt_tokens).toBe(countChatTokens([{ role: "user", content: "What is in this picture?", parts: content }]));
    expect(res.usage!.prompt_tokens).toBeGreaterThan(765);
  });

  it("passes stop, seed, sampling, logit_bias and user upstream", async () => {
    const u = await userWithKey(db, { phone: phone(), tokens: 5_000_000n, now: new Date() });
    let seen: Record<string, unknown> | undefined;
    const gw = testGateway(db, server.baseUrl, {
      start: (d: Database, input: StartInput): Promise<StartResult> => {
        seen = input.params;
        return startMeteredCompletion(d, input);
      },
    });
    const res = await client(gw, u.apiKey, fast).chat.completions.create({
      model: MODEL,
      messages: [{ role: "user", content: "hi" }],
      stop: ["\n\n"],
      seed: 7,
      temperature: 0.2,
      top_p: 0.9,
      presence_penalty: 0.1,
      frequency_penalty: 0.2,
      logit_bias: { "1234": -5 },
      user: "end-user-1",
      n: 1,
      max_tokens: 80,
    });
    expect(res.choices).toHaveLength(1);
    // The demo model honours stop: its answers have paragraphs, and this one ends before the first break.
    expect(res.choices[0]!.message.content).not.toContain("\n\n");
    expect(seen).toEqual({
      stop: ["\n\n"],
      seed: 7,
      temperature: 0.2,
      top_p: 0.9,
      presence_penalty: 0.1,
      frequency_penalty: 0.2,
      logit_bias: { "1234": -5 },
      user: "end-user-1",
    });
  });

  it("refuses, by name, a parameter the model cannot honour or the gateway does not serve, and holds nothing", async () => {
    const now = new Date();
    const u = await userWithKey(db, { phone: phone(), tokens: 5_000_000n, now });
    const gw = testGateway(db, server.baseUrl);
    const f = gatewayFetch(gw);
    const post = async (body: Record<string, unknown>) => {
      const r = await f("http://gateway.test/v1/chat/completions", {
        method: "POST",
        headers: { authorization: `Bearer ${u.apiKey}`, "content-type": "application/json" },
        body: JSON.stringify({ messages: [{ role: "user", content: "hi" }], max_tokens: 5, ...body }),
      });
      return { status: r.status, error: ((await r.json()) as { error: { param: string | null; message: string; type: string } }).error };
    };
    const image = [{ type: "image_url", image_url: { url: "https://example.com/a.png" } }];
    const cases: [Record<string, unknown>, string][] = [
      [{ model: "claude-v2", tools }, "tools"],
      [{ model: "o3-mini", temperature: 0.5 }, "temperature"],
      // qwen-plus reads no images (deepseek-chat does now).
      [{ model: "qwen-plus", messages: [{ role: "user", content: image }] }, "messages[0].content[0]"],
      [{ model: MODEL, n: 2 }, "n"],
      [{ model: MODEL, logprobs: true }, "logprobs"],
      [{ model: MODEL, frobnicate: 1 }, "frobnicate"],
      [{ model: MODEL, tools, tool_choice: { type: "function", function: { name: "nope" } } }, "tool_choice"],
      [{ model: MODEL, response_format: { type: "xml" } }, "response_format.type"],
      [{ model: MODEL, messages: [{ role: "tool", content: "x" }] }, "messages[0].tool_call_id"],
    ];
    for (const [body, param] of cases) {
      const r = await post(body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.error.type).toBe("invalid_request_error");
      expect(r.error.param).toBe(param);
      expect(r.error.message).toContain(param.split(/[.[]/)[0]);
    }
    const b = await getBalance(db, { walletId: u.walletId, now });
    expect(b.held).toBe(0n);
    expect(await db.select().from(usage).where(eq(usage.apiKeyId, u.keyId))).toHaveLength(0);
  });

  it("a request the provider refuses as invalid is the client's 400 in the provider's words, and costs nothing", async () => {
    const now = new Date();
    const u = await userWithKey(db, { phone: phone(), tokens: 5_000_000n, now });
    const c = client(testGateway(db, server.baseUrl), u.apiKey, { ...fast, "x-demo-fail-before": "400" });
    const err = await c.chat.completions.create({ model: MODEL, messages: [{ role: "user", content: "hi" }], max_tokens: 5 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as InstanceType<typeof OpenAI.BadRequestError>).message).toContain("x-demo-fail-before: 400");
    const streamed = await c.chat.completions
      .create({ model: MODEL, messages: [{ role: "user", content: "hi" }], max_tokens: 5, stream: true })
      .catch((e: unknown) => e);
    expect(streamed).toBeInstanceOf(OpenAI.BadRequestError);
    const b = await getBalance(db, { walletId: u.walletId, now });
    expect(b.total - b.available).toBe(0n);
    const rows = await db.select().from(usage).where(eq(usage.apiKeyId, u.keyId));
    expect(rows.reduce((s, r) => s + r.planTokens, 0n)).toBe(0n);
  });

  it("sizes the hold with the tool definitions", async () => {
    const u = await userWithKey(db, { phone: phone(), tokens: 5_000_000n, now: new Date() });
    let held = 0n;
    const gw = testGateway(db, server.baseUrl, {
      start: async (d: Database, input: StartInput): Promise<StartResult> => {
        const r = await startMeteredCompletion(d, input);
        if (r.ok) held = r.holdAmount;
        return r;
      },
    });
    const messages = [{ role: "user" as const, content: "hello" }];
    await client(gw, u.apiKey, fast).chat.completions.create({ model: MODEL, messages, tools, max_tokens: 20 });
    const prompt = countChatTokens(messages) + countDefinitionTokens(definitionsText({ tools }));
    expect(held).toBe(holdFor({ promptTokens: prompt, maxOutputTokens: 20, weights: getModel(MODEL)!.weights }));
  });
});
