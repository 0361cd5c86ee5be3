import { afterAll, beforeAll, describe, expect, it } from "vitest";
import Anthropic from "@anthropic-ai/sdk";
import { eq } from "drizzle-orm";
import { createTestDb } from "@/lib/testing/db";
import type { Database } from "@/lib/db/types";
import { usage } from "@/lib/db/schema";
import { getBalance, reconcileLedger } from "@/lib/ledger";
import { countChatTokens, countDefinitionTokens, countTokens, definitionsText } from "@/lib/metering";
import { startDemoUpstream, type RunningServer } from "@/lib/demo/upstream/node-server";
import { anthropicClient, gatewayFetch, testGateway, userWithKey } from "@/lib/testing/gateway-harness";

// POST /v1/messages through the official Anthropic client: the same pipeline, Anthropic's shapes.

let server: RunningServer;
let db: Database;
let close: () => Promise<void>;
let n = 0;
const phone = () => `1390009${String(1000 + ++n)}`;
const MODEL = "deepseek-chat";
const fast = { "x-demo-ttft-ms": "0", "x-demo-tps": "0" };

beforeAll(async () => {
  server = await startDemoUpstream({ port: 0 });
  ({ db, close } = await createTestDb());
});
afterAll(async () => {
  await close();
  await server.close();
});

const tools: Anthropic.Tool[] = [
  {
    name: "read_file",
    description: "Read a file of the project",
    input_schema: { type: "object", properties: { path: { type: "string" } }, required: ["path"] },
  },
];

describe("the Anthropic Messages API", () => {
  it("streams a tool_use block, takes the tool_result, answers from it; usage and charges match", async () => {
    const now = new Date();
    const u = await userWithKey(db, { phone: phone(), tokens: 5_000_000n, now });
    const c = anthropicClient(testGateway(db, server.baseUrl), u.apiKey, { "x-demo-ttft-ms": "0", "x-demo-tps": "300" });
    const before = await getBalance(db, { walletId: u.walletId, now });
    const first: Anthropic.MessageParam[] = [{ role: "user", content: 'Use read_file on "README.md"' }];
    const stream = c.messages.stream({ model: MODEL, max_tokens: 300, system: "You are a coding agent.", messages: first, tools });
    const types: string[] = [];
    stream.on("streamEvent", (e) => types.push(e.type));
    const msg = await stream.finalMessage();
    expect(types[0]).toBe("message_start");
    expect(types).toContain("content_block_start");
    expect(types).toContain("content_block_delta");
    expect(types.slice(-2)).toEqual(["message_delta", "message_stop"]);
    expect(msg.stop_reason).toBe("tool_use");
    const use = msg.content.find((b): b is Anthropic.ToolUseBlock => b.type === "tool_use")!;
    expect(use).toMatchObject({ name: "read_file", input: { path: "README.md" } });
    const prompt =
      countChatTokens([
        { role: "system", content: "You are a coding agent." },
        { role: "user", content: 'Use read_file on "README.md"' },
      ]) +
      countDefinitionTokens(
        definitionsText({
          tools: tools.map((t) => ({ type: "function", function: { name: t.name, description: t.description, parameters: t.input_schema } })),
        }),
      );
    expect(msg.usage.input_tokens).toBe(prompt);
    expect(msg.usage.output_tokens).toBe(countTokens(use.name + JSON.stringify(use.input)));

    const reply = await c.messages.create({
      model: MODEL,
      max_tokens: 300,
      system: "You are a coding agent.",
      tools,
      messages: [
        ...first,
        { role: "assistant", content: msg.content },
        { role: "user", content: [{ type: "tool_result", tool_use_id: use.id, content: "# Unitoken\nOne account for every AI model." }] },
      ],
    });
    expect(reply.type).toBe("message");
    expect(reply.id).toMatch(/^msg_/);
    expect(reply.stop_reason).toBe("end_turn");
    const text = reply.content.map((b) => (b.type === "text" ? b.text : "")).join("");
    expect(text).toContain("One account for every AI model.");

    const rows = await db.select().from(usage).where(eq(usage.apiKeyId, u.keyId));
    expect(rows).toHaveLength(2);
    expect(rows.map((r) => [r.tokensIn, r.tokensOut]).sort()).toEqual(
      [
        [msg.usage.input_tokens, msg.usage.output_tokens],
        [reply.usage.input_tokens, reply.usage.output_tokens],
      ].sort(),
    );
    const after = await getBalance(db, { walletId: u.walletId, now });
    expect(before.total - after.total).toBe(rows.reduce((s, r) => s + r.planTokens, 0n));
    expect((await reconcileLedger(db)).ok).toBe(true);
  });

  it("streams plain text with the SDK's text events", async () => {
    const u = await userWithKey(db, { phone: phone(), tokens: 5_000_000n, now: new Date() });
    const c = anthropicClient(testGateway(db, server.baseUrl), u.apiKey, fast);
    let text = "";
    const stream = c.messages.stream({ model: MODEL, max_tokens: 40, messages: [{ role: "user", content: [{ type: "text", text: "Hello" }] }] });
    stream.on("text", (t) => (text += t));
    const msg = await stream.finalMessage();
    expect(text.length).toBeGreaterThan(0);
    expect(msg.content).toEqual([{ type: "text", text, citations: null }].map((b) => expect.objectContaining({ type: b.type, text: b.text })));
    expect(msg.usage.output_tokens).toBe(countTokens(text));
    expect(["end_turn", "max_tokens"]).toContain(msg.stop_reason);
  });

  it("answers errors in Anthropic's shape: bad key, missing version, unknown field, empty wallet", async () => {
    const u = await userWithKey(db, { phone: phone(), tokens: 5_000_000n, now: new Date() });
    const poor = await userWithKey(db, { phone: phone(), tokens: 0n, now: new Date() });
    const gw = testGateway(db, server.baseUrl);
    await expect(
      anthropicClient(gw, "ut-wrong").messages.create({ model: MODEL, max_tokens: 5, messages: [{ role: "user", content: "hi" }] }),
    ).rejects.toMatchObject({
      status: 401,
      error: { type: "error", error: { type: "authentication_error" } },
    });
    await expect(
      anthropicClient(gw, poor.apiKey, fast).messages.create({ model: MODEL, max_tokens: 5, messages: [{ role: "user", content: "hi" }] }),
    ).rejects.toMatchObject({
      status: 402,
      error: { type: "error", error: { type: "billing_error" } },
    });
    const f = gatewayFetch(gw);
    const post = async (body: unknown, headers: Record<string, string>) => {
      const r = await f("http://gateway.test/v1/messages", {
        method: "POST",
        headers: { "content-type": "application/json", "x-api-key": u.apiKey, ...headers },
        body: JSON.stringify(body),
      });
      return { status: r.status, body: (await r.json()) as { type: string; error: { type: string; message: string } } };
    };
    const ok = { model: MODEL, max_tokens: 5, messages: [{ role: "user", content: "hi" }] };
    const noVersion = await post(ok, {});
    expect(noVersion).toMatchObject({ status: 400, body: { type: "error", error: { type: "invalid_request_error" } } });
    expect(noVersion.body.error.message).toContain("anthropic-version");
    const topK = await post({ ...ok, top_k: 5 }, { "anthropic-version": "2023-06-01" });
    expect(topK.status).toBe(400);
    expect(topK.body.error.message).toContain("top_k");
    const noMax = await post({ model: MODEL, messages: ok.messages }, { "anthropic-version": "2023-06-01" });
    expect(noMax.body.error.message).toContain("max_tokens");
    const unknown = await post({ ...ok, model: "no-such-model" }, { "anthropic-version": "2023-06-01" });
    expect(unknown).toMatchObject({ status: 404, body: { error: { type: "not_found_error" } } });
  });

  it("counts a prompt's tokens as a message would be held and charged, charging nothing", async () => {
    const u = await userWithKey(db, { phone: phone(), tokens: 5_000_000n, now: new Date() });
    const c = anthropicClient(testGateway(db, server.baseUrl), u.apiKey, fast);
    const params = { model: MODEL, system: "You are a coding agent.", tools, messages: [{ role: "user" as const, content: 'Use read_file on "README.md"' }] };
    const counted = await c.messages.countTokens(params);
    const msg = await c.messages.create({ ...params, max_tokens: 200 });
    expect(counted.input_tokens).toBe(msg.usage.input_tokens);
    expect(await db.select().from(usage).where(eq(usage.apiKeyId, u.keyId))).toHaveLength(1);
  });
});
