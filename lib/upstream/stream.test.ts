import { afterAll, beforeAll, describe, expect, it } from "vitest";
import http from "node:http";
import { encode } from "gpt-tokenizer/encoding/o200k_base";
import { startDemoUpstream, type RunningServer } from "@/lib/demo/upstream/node-server";
import { countPromptTokens } from "@/lib/demo/upstream/server";
import { errors as undiciErrors } from "undici";
import { pushCompletion, streamCompletion, toUpstreamError, type StreamEvent, type StreamHandle, UpstreamError } from "@/lib/upstream";
import { getModel, resolveRoute } from "@/lib/catalog";

let server: RunningServer;
beforeAll(async () => {
  server = await startDemoUpstream({ port: 0 });
});
afterAll(() => server.close());

const messages = [{ role: "user" as const, content: "Tell me about token plans" }];
const fast = { "x-demo-ttft-ms": "0", "x-demo-tps": "0" };

function route() {
  const r = resolveRoute(getModel("deepseek-chat"), { providerKey: () => undefined, demoMode: true, demoBaseUrl: server.baseUrl });
  if (!r) throw new Error("no route");
  return r;
}

async function run(headers: Record<string, string>, extra: { maxOutputTokens?: number; signal?: AbortSignal } = {}) {
  const events: StreamEvent[] = [];
  for await (const e of streamCompletion({ route: route(), messages, maxOutputTokens: extra.maxOutputTokens ?? 500, headers, signal: extra.signal }))
    events.push(e);
  const text = events.flatMap((e) => (e.type === "text" ? [e.text] : [])).join("");
  return { events, text, last: events.at(-1)! };
}

describe("streamCompletion against the demo upstream", () => {
  it("streams text then one usage event with the provider's counts", async () => {
    const { events, text, last } = await run(fast);
    expect(events.filter((e) => e.type === "text").length).toBeGreaterThan(5);
    expect(last).toMatchObject({
      type: "usage",
      tokensIn: countPromptTokens(messages),
      tokensOut: encode(text).length,
      reported: true,
      finishReason: "stop",
    });
    expect(events.filter((e) => e.type === "usage" || e.type === "error")).toHaveLength(1);
    expect((last as { ttftMs: number }).ttftMs).toBeGreaterThan(0);
  });

  it("passes maxOutputTokens as max_tokens", async () => {
    const { text, last } = await run({ ...fast, "x-demo-tokens": "400" }, { maxOutputTokens: 20 });
    expect(last).toMatchObject({ type: "usage", finishReason: "length" });
    expect((last as { tokensOut: number }).tokensOut).toBeLessThanOrEqual(20);
    expect(encode(text).length).toBe((last as { tokensOut: number }).tokensOut);
  });

  it("distinguishes 'no usage reported' (null) from an explicit zero", async () => {
    const none = await run({ ...fast, "x-demo-no-usage": "1" });
    expect(none.last).toMatchObject({ type: "usage", tokensIn: null, tokensOut: null, reported: false });
    expect(none.text.length).toBeGreaterThan(0);
    const zero = await run({ ...fast, "x-demo-zero-usage": "1" });
    expect(zero.last).toMatchObject({ type: "usage", tokensIn: 0, tokensOut: 0, reported: true });
  });

  it("types errors before the first token", async () => {
    const { events, last } = await run({ ...fast, "x-demo-fail-before": "429" });
    expect(events).toHaveLength(1);
    expect(last.type).toBe("error");
    const err = (last as { error: UpstreamError }).error;
    expect(err).toBeInstanceOf(UpstreamError);
    expect(err).toMatchObject({ code: "upstream_rate_limited", phase: "before-first-token", status: 429, retryable: true, providerId: "demo" });
    const e503 = (await run({ ...fast, "x-demo-fail-before": "503" })).last as { error: UpstreamError };
    expect(e503.error).toMatchObject({ code: "upstream_unavailable", retryable: true });
    const e401 = (await run({ ...fast, "x-demo-fail-before": "401" })).last as { error: UpstreamError };
    expect(e401.error).toMatchObject({ code: "upstream_auth", retryable: false });
  });

  it("types errors after the first token (SSE error event and dropped connection)", async () => {
    const ev = await run({ ...fast, "x-demo-fail-after-chunks": "4" });
    expect(ev.events.filter((e) => e.type === "text")).toHaveLength(4);
    expect(ev.last).toMatchObject({ type: "error", error: { code: "upstream_stream_broken", phase: "after-first-token", retryable: false } });
    const drop = await run({ ...fast, "x-demo-fail-after-chunks": "2", "x-demo-fail-mode": "drop" });
    expect(drop.events.filter((e) => e.type === "text")).toHaveLength(2);
    expect(drop.last).toMatchObject({ type: "error", error: { phase: "after-first-token" } });
  });

  it("reports an unreachable upstream as unavailable before the first token", async () => {
    const events: StreamEvent[] = [];
    for await (const e of streamCompletion({
      route: { kind: "live", providerId: "x", providerModelId: "m", baseUrl: "http://127.0.0.1:9/v1", apiKey: "k" },
      messages,
      maxOutputTokens: 10,
    }))
      events.push(e);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: "error", error: { code: "upstream_unavailable", phase: "before-first-token" } });
  });

  it("stops when the caller aborts", async () => {
    const ac = new AbortController();
    const events: StreamEvent[] = [];
    for await (const e of streamCompletion({
      route: route(),
      messages,
      maxOutputTokens: 500,
      headers: { "x-demo-ttft-ms": "0", "x-demo-tps": "50" },
      signal: ac.signal,
    })) {
      events.push(e);
      if (events.length === 2) ac.abort();
    }
    expect(events.at(-1)).toMatchObject({ type: "error", error: { code: "upstream_aborted", phase: "after-first-token" } });
    expect(events.filter((e) => e.type === "text").length).toBeLessThanOrEqual(3);
  });

  it("yields each delta as it arrives, not when the stream ends", async () => {
    // 10 tokens at 20 tokens/s: the last arrives ≈450 ms after the first.
    const seen: { type: string; at: number }[] = [];
    const t0 = performance.now();
    for await (const e of streamCompletion({
      route: route(),
      messages,
      maxOutputTokens: 100,
      headers: { "x-demo-ttft-ms": "0", "x-demo-tps": "20", "x-demo-tokens": "10" },
    }))
      seen.push({ type: e.type, at: performance.now() - t0 });
    const texts = seen.filter((e) => e.type === "text");
    expect(texts.length).toBeGreaterThan(3);
    expect(seen.at(-1)!.type).toBe("usage");
    expect(seen.at(-1)!.at - texts[0]!.at).toBeGreaterThan(250);
  });

  it("reads reasoning, content parts and refusals from an upstream's deltas, and its finish reason", async () => {
    const sse = (chunks: unknown[]) => chunks.map((c) => `data: ${JSON.stringify(c)}\r\n\r\n`).join("") + "data: [DONE]\n\n";
    const up = http.createServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      const body = sse([
        { choices: [{ delta: { role: "assistant", reasoning_content: "think" } }] },
        {
          choices: [
            {
              delta: {
                content: [
                  { type: "text", text: "你" },
                  { type: "thinking", thinking: [{ type: "text", text: "more" }] },
                ],
              },
            },
          ],
        },
        { choices: [{ delta: { content: "好" } }] },
        { choices: [{ delta: { refusal: "no" }, finish_reason: "stop" }] },
        { choices: [], usage: { prompt_tokens: 7, completion_tokens: 5, prompt_tokens_details: { cached_tokens: 2 } } },
      ]);
      // Split mid-line and mid-character: events are framed across reads.
      const bytes = Buffer.from(body);
      res.write(bytes.subarray(0, 61));
      setTimeout(() => res.end(bytes.subarray(61)), 10);
    });
    await new Promise<void>((r) => up.listen(0, "127.0.0.1", r));
    try {
      const events: StreamEvent[] = [];
      const baseUrl = `http://127.0.0.1:${(up.address() as { port: number }).port}/v1`;
      for await (const e of streamCompletion({
        route: { kind: "live", providerId: "p", providerModelId: "m", baseUrl, apiKey: "k" },
        messages,
        maxOutputTokens: 10,
      }))
        events.push(e);
      expect(events).toEqual([
        { type: "reasoning", text: "think" },
        { type: "text", text: "你" },
        { type: "reasoning", text: "more" },
        { type: "text", text: "好" },
        { type: "text", text: "no" },
        expect.objectContaining({ type: "usage", tokensIn: 7, tokensOut: 5, cachedIn: 2, reasoningOut: 0, reported: true, finishReason: "stop" }),
      ]);
    } finally {
      up.close();
    }
  });

  it("a request the client refuses to send (a header value with a line break) ends as an error event", async () => {
    const { events, last } = await run({ ...fast, "x-demo-note": "a\r\nb" });
    expect(events).toHaveLength(1);
    expect(last).toMatchObject({ type: "error", error: { phase: "before-first-token" } });
  });

  it("reports the connection pool's header and between-chunk timeouts as timeouts", () => {
    const ctx = { phase: "after-first-token" as const, providerId: "p" };
    expect(toUpstreamError(new undiciErrors.HeadersTimeoutError(), { ...ctx, phase: "before-first-token" })).toMatchObject({
      code: "upstream_timeout",
      retryable: true,
    });
    expect(toUpstreamError(new undiciErrors.BodyTimeoutError(), ctx)).toMatchObject({ code: "upstream_timeout" });
    expect(toUpstreamError(new undiciErrors.SocketError("other side closed"), ctx)).toMatchObject({ code: "upstream_stream_broken" });
  });

  it("a slow reader gets every delta of a long, fast stream (reading pauses and resumes)", async () => {
    const events: StreamEvent[] = [];
    for await (const e of streamCompletion({ route: route(), messages, maxOutputTokens: 2000, headers: { ...fast, "x-demo-tokens": "600" } })) {
      events.push(e);
      if (events.length % 20 === 0) await new Promise((r) => setTimeout(r, 5));
    }
    const text = events.flatMap((e) => (e.type === "text" ? [e.text] : [])).join("");
    const last = events.at(-1)!;
    expect(last).toMatchObject({ type: "usage", reported: true });
    expect(encode(text).length).toBe((last as { tokensOut: number }).tokensOut);
    expect((last as { tokensOut: number }).tokensOut).toBeGreaterThan(300);
  });

  it("reports a stream that ends without a finish reason as broken", async () => {
    const up = http.createServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.end(`data: ${JSON.stringify({ choices: [{ delta: { content: "hi" } }] })}\n\n`);
    });
    await new Promise<void>((r) => up.listen(0, "127.0.0.1", r));
    try {
      const events: StreamEvent[] = [];
      const baseUrl = `http://127.0.0.1:${(up.address() as { port: number }).port}/v1`;
      for await (const e of streamCompletion({
        route: { kind: "live", providerId: "p", providerModelId: "m", baseUrl, apiKey: "k" },
        messages,
        maxOutputTokens: 10,
      }))
        events.push(e);
      expect(events[0]).toEqual({ type: "text", text: "hi" });
      expect(events[1]).toMatchObject({ type: "error", error: { code: "upstream_stream_broken", phase: "after-first-token" } });
    } finally {
      up.close();
    }
  });

  it("sends the request an OpenAI-compatible provider expects and surfaces its error message", async () => {
    let seen: { headers: http.IncomingHttpHeaders; body: unknown; url?: string } | undefined;
    const up = http.createServer((req, res) => {
      let b = "";
      req.on("data", (d: Buffer) => (b += d));
      req.on("end", () => {
        seen = { headers: req.headers, body: JSON.parse(b), url: req.url };
        res.writeHead(400, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: { message: "max_tokens is too large", type: "invalid_request_error" } }));
      });
    });
    await new Promise<void>((r) => up.listen(0, "127.0.0.1", r));
    try {
      const baseUrl = `http://127.0.0.1:${(up.address() as { port: number }).port}/v1/`;
      const events: StreamEvent[] = [];
      for await (const e of streamCompletion({
        route: { kind: "live", providerId: "p", providerModelId: "m-1", baseUrl, apiKey: "sk-1", extraBody: { thinking: { type: "disabled" } } },
        messages,
        maxOutputTokens: 99,
        temperature: 0.5,
        headers: { "x-extra": "1" },
      }))
        events.push(e);
      expect(seen!.url).toBe("/v1/chat/completions");
      expect(seen!.headers).toMatchObject({ authorization: "Bearer sk-1", "content-type": "application/json", "x-extra": "1" });
      expect(seen!.body).toEqual({
        model: "m-1",
        messages,
        max_tokens: 99,
        temperature: 0.5,
        stream: true,
        stream_options: { include_usage: true },
        // The route's own fields (from the catalog's data file).
        thinking: { type: "disabled" },
      });
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        type: "error",
        error: { code: "upstream_bad_request", status: 400, message: "max_tokens is too large", retryable: false },
      });
    } finally {
      up.close();
    }
  });
});

describe("pushCompletion: each event handed over as it is parsed", () => {
  function call(headers: Record<string, string>, onEvent: (e: StreamEvent, handle: StreamHandle) => void) {
    return new Promise<StreamEvent[]>((resolve) => {
      const events: StreamEvent[] = [];
      const handle: StreamHandle = pushCompletion({ route: route(), messages, maxOutputTokens: 500, headers }, (e) => {
        events.push(e);
        onEvent(e, handle);
        if (e.type === "usage" || e.type === "error") resolve(events);
      });
      setTimeout(() => resolve(events), 1_500);
    });
  }

  it("gives the same events as the iterable, the terminal one last and once", async () => {
    const events = await call(fast, () => {});
    const { events: iterated } = await run(fast);
    expect(events.filter((e) => e.type === "usage" || e.type === "error")).toHaveLength(1);
    expect(events.at(-1)).toMatchObject({ type: "usage", reported: true, finishReason: "stop" });
    expect(events.map((e) => e.type)).toEqual(iterated.map((e) => e.type));
  });

  it("close() stops the call: nothing more reaches the sink, not even a terminal event", async () => {
    let closedAt = -1;
    const events = await call({ ...fast, "x-demo-tps": "200", "x-demo-tokens": "40" }, (e, handle) => {
      if (e.type === "text" && closedAt < 0) {
        handle.close();
        closedAt = 0;
      }
    });
    expect(events).toHaveLength(1);
    expect(events[0]!.type).toBe("text");
  });

  it("a sink that throws stops the call and gets nothing more", async () => {
    const errors: unknown[] = [];
    const original = console.error;
    console.error = (...a: unknown[]) => void errors.push(a);
    try {
      const events = await call({ ...fast, "x-demo-tps": "200", "x-demo-tokens": "40" }, (e) => {
        if (e.type === "text") throw new Error("consumer bug");
      });
      expect(events).toHaveLength(1);
      expect(errors.length).toBe(1);
    } finally {
      console.error = original;
    }
  });
});

describe("a provider's broken stream", () => {
  async function serveRaw(write: (res: http.ServerResponse) => void) {
    let closed = false;
    const up = http.createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        res.writeHead(200, { "content-type": "text/event-stream" });
        res.on("close", () => (closed = true));
        write(res);
      });
    });
    await new Promise<void>((r) => up.listen(0, "127.0.0.1", r));
    const baseUrl = `http://127.0.0.1:${(up.address() as { port: number }).port}/v1`;
    return { baseUrl, closed: () => closed, close: () => up.close() };
  }
  const chunk = (content: string) => `data: ${JSON.stringify({ choices: [{ delta: { content } }] })}\n\n`;
  const collect = (baseUrl: string) =>
    new Promise<StreamEvent[]>((resolve) => {
      const events: StreamEvent[] = [];
      pushCompletion({ route: { kind: "live", providerId: "p", providerModelId: "m", baseUrl, apiKey: "k" }, messages, maxOutputTokens: 10 }, (e) => {
        events.push(e);
        if (e.type === "usage" || e.type === "error") setTimeout(() => resolve(events), 50);
      });
    });

  it("invalid JSON after a token: one error event (stream broken), nothing after, the connection cut", async () => {
    const up = await serveRaw((res) => {
      res.write(chunk("半"));
      setTimeout(() => res.write(`data: {broken\n\n${chunk("never")}`), 10);
    });
    try {
      const events = await collect(up.baseUrl);
      expect(events.map((e) => e.type)).toEqual(["text", "error"]);
      expect(events[1]).toMatchObject({ error: { code: "upstream_stream_broken", phase: "after-first-token" } });
      await expect.poll(() => up.closed()).toBe(true);
    } finally {
      up.close();
    }
  });

  it("an error payload before any token: an error before the first token, which failover may retry elsewhere", async () => {
    const up = await serveRaw((res) => res.write(`data: ${JSON.stringify({ error: { message: "overloaded", type: "server_error" } })}\n\n`));
    try {
      const events = await collect(up.baseUrl);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ type: "error", error: { phase: "before-first-token", message: "overloaded" } });
    } finally {
      up.close();
    }
  });
});
