import { afterAll, beforeAll, describe, expect, it } from "vitest";
import OpenAI from "openai";
import { encode } from "gpt-tokenizer/encoding/o200k_base";
import { startDemoUpstream, type RunningServer } from "./node-server";
import { countPromptTokens } from "./server";
import { listedModels } from "@/lib/catalog";

let server: RunningServer;
let client: OpenAI;

beforeAll(async () => {
  server = await startDemoUpstream({ port: 0 });
  client = new OpenAI({ baseURL: server.baseUrl, apiKey: "demo", maxRetries: 0 });
});
afterAll(() => server.close());

const fast = { "x-demo-ttft-ms": "0", "x-demo-tps": "0" };
const messages = [
  { role: "system" as const, content: "You are helpful." },
  { role: "user" as const, content: "How should I plan a small product launch?" },
];

async function collect(stream: AsyncIterable<OpenAI.Chat.Completions.ChatCompletionChunk>, t0 = performance.now()) {
  let text = "";
  let contentChunks = 0;
  let usage: OpenAI.CompletionUsage | null | undefined;
  let finish: string | null = null;
  const times: number[] = [];
  for await (const chunk of stream) {
    const c = chunk.choices[0];
    if (c?.delta?.content) {
      text += c.delta.content;
      contentChunks++;
      times.push(performance.now() - t0);
    }
    if (c?.finish_reason) finish = c.finish_reason;
    if (chunk.usage) usage = chunk.usage;
  }
  return { text, contentChunks, usage, finish, times };
}

describe("demo upstream via the official openai client", () => {
  it("streams readable text with a final usage chunk that counts exactly", async () => {
    const stream = await client.chat.completions.create(
      { model: "deepseek-chat", messages, stream: true, stream_options: { include_usage: true } },
      { headers: fast },
    );
    const r = await collect(stream);
    expect(r.text.length).toBeGreaterThan(100);
    expect(r.text).toMatch(/[A-Za-z]+ [A-Za-z]+/);
    expect(r.contentChunks).toBeGreaterThan(10);
    expect(r.finish).toBe("stop");
    expect(r.usage).toEqual({
      prompt_tokens: countPromptTokens(messages),
      completion_tokens: encode(r.text).length,
      total_tokens: countPromptTokens(messages) + encode(r.text).length,
    });
    expect(r.usage!.prompt_tokens).toBeGreaterThan(encode(messages[1].content).length);
  });

  it("varies the answer with the prompt and answers Chinese prompts in Chinese", async () => {
    const a = await client.chat.completions.create({ model: "deepseek-chat", messages: [{ role: "user", content: "Explain caching" }] }, { headers: fast });
    const b = await client.chat.completions.create(
      { model: "deepseek-chat", messages: [{ role: "user", content: "Write a haiku about rain" }] },
      { headers: fast },
    );
    expect(a.choices[0].message.content).not.toBe(b.choices[0].message.content);
    const zh = await client.chat.completions.create({ model: "qwen3-coder-plus", messages: [{ role: "user", content: "怎么学好数学？" }] }, { headers: fast });
    const text = zh.choices[0].message.content!;
    expect((text.match(/[\u4e00-\u9fff]/g) ?? []).length).toBeGreaterThan(text.length / 3);
    expect(zh.usage!.completion_tokens).toBe(encode(text).length);
  });

  it("answers non-streaming requests with usage", async () => {
    const r = await client.chat.completions.create({ model: "gpt-4o", messages }, { headers: fast });
    expect(r.object).toBe("chat.completion");
    expect(r.model).toBe("gpt-4o");
    expect(r.usage!.completion_tokens).toBe(encode(r.choices[0].message.content!).length);
    expect(r.usage!.prompt_tokens).toBe(countPromptTokens(messages));
  });

  it("honours max_tokens and max_completion_tokens", async () => {
    const s = await client.chat.completions.create(
      { model: "deepseek-chat", messages, max_tokens: 17, stream: true, stream_options: { include_usage: true } },
      { headers: { ...fast, "x-demo-tokens": "300" } },
    );
    const r = await collect(s);
    expect(r.usage!.completion_tokens).toBeLessThanOrEqual(17);
    expect(r.usage!.completion_tokens).toBeGreaterThanOrEqual(12);
    expect(r.usage!.completion_tokens).toBe(encode(r.text).length);
    expect(r.finish).toBe("length");
    const n = await client.chat.completions.create(
      { model: "deepseek-chat", messages, max_completion_tokens: 9 },
      { headers: { ...fast, "x-demo-tokens": "300" } },
    );
    expect(n.usage!.completion_tokens).toBeLessThanOrEqual(9);
    expect(n.choices[0].finish_reason).toBe("length");
  });

  it("x-demo-tokens sets the answer length", async () => {
    const r = await client.chat.completions.create({ model: "deepseek-chat", messages }, { headers: { ...fast, "x-demo-tokens": "40" } });
    expect(r.usage!.completion_tokens).toBeLessThanOrEqual(40);
    expect(r.usage!.completion_tokens).toBeGreaterThanOrEqual(34);
    expect(r.choices[0].finish_reason).toBe("stop");
  });

  it("x-demo-ttft-ms delays the first token; x-demo-tps paces the rest", async () => {
    const t0 = performance.now();
    const slow = await collect(
      await client.chat.completions.create({ model: "deepseek-chat", messages, stream: true }, { headers: { "x-demo-ttft-ms": "300", "x-demo-tps": "0" } }),
      t0,
    );
    expect(slow.times[0]).toBeGreaterThanOrEqual(295);
    const quick = await collect(await client.chat.completions.create({ model: "deepseek-chat", messages, stream: true }, { headers: fast }));
    expect(quick.times[0]).toBeLessThan(150);
    // 60 tokens at 200 tokens/s ≈ 300 ms of streaming after the first token.
    const paced = await collect(
      await client.chat.completions.create(
        { model: "deepseek-chat", messages, stream: true, stream_options: { include_usage: true } },
        { headers: { "x-demo-ttft-ms": "0", "x-demo-tps": "200", "x-demo-tokens": "60" } },
      ),
    );
    const span = paced.times.at(-1)! - paced.times[0];
    const expected = ((paced.usage!.completion_tokens * (paced.contentChunks - 1)) / paced.contentChunks / 200) * 1000;
    expect(span).toBeGreaterThanOrEqual(expected * 0.8);
    expect(span).toBeLessThan(expected * 1.5 + 150);
  });

  it("x-demo-fail-before answers with the HTTP error", async () => {
    const err = await client.chat.completions
      .create({ model: "deepseek-chat", messages, stream: true }, { headers: { ...fast, "x-demo-fail-before": "429" } })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    const e500 = await client.chat.completions
      .create({ model: "deepseek-chat", messages }, { headers: { ...fast, "x-demo-fail-before": "1" } })
      .catch((e: unknown) => e);
    expect(e500).toBeInstanceOf(OpenAI.InternalServerError);
  });

  it("x-demo-fail-after-chunks breaks the stream after N chunks (error event or dropped connection)", async () => {
    let text = "";
    let chunks = 0;
    const err = await (async () => {
      const s = await client.chat.completions.create(
        { model: "deepseek-chat", messages, stream: true },
        { headers: { ...fast, "x-demo-fail-after-chunks": "3" } },
      );
      for await (const c of s) {
        if (c.choices[0]?.delta?.content) {
          chunks++;
          text += c.choices[0].delta.content;
        }
      }
    })().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect(String((err as Error).message)).toMatch(/after 3 chunks/);
    expect(chunks).toBe(3);
    expect(text.length).toBeGreaterThan(0);

    chunks = 0;
    const dropped = await (async () => {
      const s = await client.chat.completions.create(
        { model: "deepseek-chat", messages, stream: true },
        { headers: { ...fast, "x-demo-fail-after-chunks": "2", "x-demo-fail-mode": "drop" } },
      );
      for await (const c of s) if (c.choices[0]?.delta?.content) chunks++;
    })().then(
      () => null,
      (e: unknown) => e,
    );
    expect(dropped).toBeTruthy();
    expect(chunks).toBe(2);
  });

  it("x-demo-no-usage omits usage; without include_usage there is none either", async () => {
    const r = await collect(
      await client.chat.completions.create(
        { model: "deepseek-chat", messages, stream: true, stream_options: { include_usage: true } },
        { headers: { ...fast, "x-demo-no-usage": "1" } },
      ),
    );
    expect(r.usage).toBeUndefined();
    expect(r.text.length).toBeGreaterThan(0);
    const plain = await collect(await client.chat.completions.create({ model: "deepseek-chat", messages, stream: true }, { headers: fast }));
    expect(plain.usage).toBeUndefined();
    const ns = await client.chat.completions.create({ model: "deepseek-chat", messages }, { headers: { ...fast, "x-demo-no-usage": "true" } });
    expect(ns.usage).toBeUndefined();
  });

  it("x-demo-zero-usage reports explicit zeros", async () => {
    const r = await collect(
      await client.chat.completions.create(
        { model: "deepseek-chat", messages, stream: true, stream_options: { include_usage: true } },
        { headers: { ...fast, "x-demo-zero-usage": "1" } },
      ),
    );
    expect(r.usage).toEqual({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 });
    expect(r.text.length).toBeGreaterThan(0);
  });

  it("lists every catalog model and rejects unknown ones", async () => {
    const list = await client.models.list();
    const ids = list.data.map((m) => m.id);
    expect(ids.length).toBe(listedModels().length);
    expect(ids.length).toBeGreaterThanOrEqual(300);
    const err = await client.chat.completions.create({ model: "no-such-model", messages }, { headers: fast }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.NotFoundError);
  });

  it("every listed model answers", async () => {
    for (const id of listedModels()
      .slice(0, 400)
      .filter((_, i) => i % 40 === 0)
      .map((m) => m.id)) {
      const r = await client.chat.completions.create({ model: id, messages, max_tokens: 5 }, { headers: fast });
      expect(r.usage!.completion_tokens).toBeGreaterThan(0);
    }
  });
});
