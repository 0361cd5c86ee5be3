import { describe, expect, it } from "vitest";
import { DEMO_LIMITS, createDemoHandler, knobsFrom, DEFAULT_DEMO_KNOBS } from "./server";
import { DEMO_SECRET_HEADER, clientDemoKnobs, demoUpstreamSecret, lookupOf } from "./secret";

// The demo upstream cannot hurt the server: only the app's own calls, bounded work per call.

const SECRET = "s3cret-for-the-demo-upstream-tests";
const handler = createDemoHandler({ secret: SECRET, anyModel: true, defaults: { ttftMs: 0, tps: 0 } });
const call = (body: unknown, headers: Record<string, string> = {}) =>
  handler(
    new Request("http://127.0.0.1:3000/api/demo-upstream/v1/chat/completions", {
      method: "POST",
      headers: { "content-type": "application/json", [DEMO_SECRET_HEADER]: SECRET, ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body),
    }),
  );
const chat = (content: string, extra: Record<string, unknown> = {}) => ({ model: "deepseek-chat", messages: [{ role: "user", content }], ...extra });

describe("the demo upstream's guards", () => {
  it("answers only calls carrying the secret", async () => {
    expect((await call(chat("hi"), { [DEMO_SECRET_HEADER]: "" })).status).toBe(403);
    expect((await call(chat("hi"), { [DEMO_SECRET_HEADER]: "wrong-wrong-wrong-wrong-wrong-wrong" })).status).toBe(403);
    const models = await handler(new Request("http://127.0.0.1/v1/models"));
    expect(models.status).toBe(403);
    expect((await call(chat("hi"))).status).toBe(200);
  });

  it("counts a 150 KB prompt without spaces in well under a second or two (linear tokenizer path)", { timeout: 20_000 }, async () => {
    // 50,000 CJK characters in one run: the plain BPE path takes about 30 s on this.
    const t0 = performance.now();
    const r = await call(chat("你好世界".repeat(12_500)));
    expect(r.status).toBe(200);
    const body = (await r.json()) as { usage: { prompt_tokens: number } };
    expect(body.usage.prompt_tokens).toBeGreaterThan(1000);
    expect(performance.now() - t0).toBeLessThan(3_000);
  });

  it("refuses a body over the limit with 413", async () => {
    const r = await call(chat("x ".repeat(DEMO_LIMITS.bodyBytes / 2 + 10)));
    expect(r.status).toBe(413);
  });

  it("caps the answer length whatever x-demo-tokens or max_tokens ask", { timeout: 20_000 }, async () => {
    for (const [headers, extra] of [
      [{ "x-demo-tokens": "200000" }, {}],
      [{ "x-demo-max-tokens": "1e12" }, {}],
      [{ "x-demo-tokens": "200000" }, { max_tokens: 10_000_000 }],
    ] as const) {
      const r = await call(chat("Tell me everything.", extra), headers);
      const body = (await r.json()) as { usage: { completion_tokens: number } };
      expect(body.usage.completion_tokens).toBeLessThanOrEqual(DEMO_LIMITS.tokens);
    }
  });

  it("caps every knob", () => {
    const k = knobsFrom(
      new Headers({ "x-demo-ttft-ms": "99999999999", "x-demo-tps": "1e15", "x-demo-tokens": "123456789", "x-demo-fail-after-chunks": "1e9" }),
      DEFAULT_DEMO_KNOBS,
    );
    expect(k.ttftMs).toBe(DEMO_LIMITS.ttftMs);
    expect(k.tps).toBe(DEMO_LIMITS.tps);
    expect(k.tokens).toBe(DEMO_LIMITS.tokens);
    expect(k.failAfterChunks).toBe(DEMO_LIMITS.failAfterChunks);
  });

  it("takes only pacing and failure knobs from a client, never usage knobs or the secret", () => {
    expect(
      clientDemoKnobs(
        lookupOf(
          Object.entries({
            "x-demo-tps": "5",
            "X-Demo-Fail-Before": "503",
            "x-demo-zero-usage": "1",
            "x-demo-no-usage": "1",
            [DEMO_SECRET_HEADER]: "guess",
            authorization: "Bearer k",
          }),
        ),
      ),
    ).toEqual({ "x-demo-tps": "5", "x-demo-fail-before": "503" });
  });

  it("keeps one secret per process unless one is configured", () => {
    expect(demoUpstreamSecret()).toBe(demoUpstreamSecret());
    expect(demoUpstreamSecret().length).toBeGreaterThanOrEqual(32);
    expect(demoUpstreamSecret("configured-secret-value")).toBe("configured-secret-value");
  });
});
