import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDemoHandler } from "./server";
import { serveFetchHandler, type RunningServer } from "./node-server";
import { streamCompletion } from "@/lib/upstream/stream";
import { DEMO_SECRET_HEADER } from "./secret";

// x-demo-* headers (knobs and the demo upstream's secret) go to the demo upstream only: a real
// provider never sees them.

let server: RunningServer;
let seen: Headers[] = [];
const answer = createDemoHandler({ anyModel: true, defaults: { ttftMs: 0, tps: 0 } });

beforeAll(async () => {
  server = await serveFetchHandler(
    async (req) => {
      seen.push(req.headers);
      return answer(req);
    },
    { port: 0, host: "127.0.0.1" },
  );
});
afterAll(() => server.close());

async function send(kind: "live" | "demo") {
  seen = [];
  const route = { kind, providerId: kind === "demo" ? "demo" : "deepseek", providerModelId: "deepseek-chat", baseUrl: server.baseUrl, apiKey: "k" };
  const headers = { [DEMO_SECRET_HEADER]: "secret-of-the-app-0123456789", "x-demo-tokens": "5", "x-trace": "1" };
  for await (const ev of streamCompletion({ route, messages: [{ role: "user", content: "hi" }], maxOutputTokens: 10, headers })) void ev;
  return seen[0]!;
}

describe("extra upstream headers", () => {
  it("reach the demo upstream", async () => {
    const h = await send("demo");
    expect(h.get(DEMO_SECRET_HEADER)).toBe("secret-of-the-app-0123456789");
    expect(h.get("x-demo-tokens")).toBe("5");
  });

  it("never carry x-demo-* to a real provider", async () => {
    const h = await send("live");
    expect(h.get(DEMO_SECRET_HEADER)).toBeNull();
    expect(h.get("x-demo-tokens")).toBeNull();
    expect(h.get("x-trace")).toBe("1");
  });
});
