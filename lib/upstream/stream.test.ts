import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { encode } from "gpt-tokenizer/encoding/o200k_base";
import { startDemoUpstream, type RunningServer } from "./node-server";
import { countPromptTokens } from "./demo-server";
import { streamCompletion, type StreamEvent, UpstreamError } from "@/lib/upstream";
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
  for await (const e of streamCompletion({ route: route(), messages, maxOutputTokens: extra.maxOutputTokens ?? 500, headers, signal: extra.signal })) events.push(e);
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
    for await (const e of streamCompletion({ route: route(), messages, maxOutputTokens: 500, headers: { "x-demo-ttft-ms": "0", "x-demo-tps": "50" }, signal: ac.signal })) {
      events.push(e);
      if (events.length === 2) ac.abort();
    }
    expect(events.at(-1)).toMatchObject({ type: "error", error: { code: "upstream_aborted", phase: "after-first-token" } });
    expect(events.filter((e) => e.type === "text").length).toBeLessThanOrEqual(3);
  });

  it("adds under 3 ms to time-to-first-token over a raw fetch (p50, upstream in its own process)", async () => {
    // Same process would share one event loop between client and server and skew the numbers.
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/upstream-demo.ts", "--port", "0"], { cwd: process.cwd(), stdio: ["ignore", "pipe", "inherit"] });
    try {
      const baseUrl = await new Promise<string>((resolve, reject) => {
        let out = "";
        child.stdout!.on("data", (d: Buffer) => {
          out += d.toString();
          const m = /listening on (\S+)/.exec(out);
          if (m) resolve(m[1]);
        });
        child.once("exit", (code) => reject(new Error(`demo upstream exited ${code}`)));
      });
      const body = JSON.stringify({ model: "deepseek-chat", messages, stream: true, stream_options: { include_usage: true }, max_tokens: 20 });
      const rawTtft = async () => {
        const t0 = performance.now();
        const res = await fetch(`${baseUrl}/chat/completions`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: "Bearer demo", ...fast },
          body,
        });
        const reader = res.body!.getReader();
        const dec = new TextDecoder();
        let buf = "";
        let ttft = -1;
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          buf += dec.decode(value, { stream: true });
          if (ttft < 0 && /"content":"[^"]/.test(buf)) ttft = performance.now() - t0;
        }
        return ttft;
      };
      const r = { kind: "demo" as const, providerId: "demo", providerModelId: "deepseek-chat", baseUrl, apiKey: "demo" };
      const sdkTtft = async () => {
        const t0 = performance.now();
        let ttft = -1;
        for await (const e of streamCompletion({ route: r, messages, maxOutputTokens: 20, headers: fast })) if (e.type === "text" && ttft < 0) ttft = performance.now() - t0;
        return ttft;
      };
      for (let i = 0; i < 30; i++) {
        await rawTtft();
        await sdkTtft();
      }
      const raw: number[] = [];
      const sdk: number[] = [];
      for (let i = 0; i < 150; i++) {
        raw.push(await rawTtft());
        sdk.push(await sdkTtft());
      }
      const p50 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
      const overhead = p50(sdk) - p50(raw);
      console.log(`TTFT p50: raw fetch ${p50(raw).toFixed(2)} ms, streamCompletion ${p50(sdk).toFixed(2)} ms, overhead ${overhead.toFixed(2)} ms`);
      // Target < 3 ms p50 (1–2.7 ms measured on a quiet machine). CPU contention (parallel test
      // files, other servers) inflates both numbers, so the default run only guards against
      // regressions like buffering; UPSTREAM_TTFT_STRICT=1 checks the target itself.
      expect(overhead).toBeLessThan(process.env.UPSTREAM_TTFT_STRICT ? 3 : 10);
    } finally {
      child.kill("SIGTERM");
    }
  }, 60_000);
});
