import { afterEach, describe, expect, it, vi } from "vitest";
import { DEMO_SECRET_HEADER, demoUpstreamSecret } from "@/lib/demo/upstream/secret";

// No request goes where a header says: the demo upstream's address never comes from the
// request's Host or X-Forwarded-Host. And a browser's usage knobs never reach it.

let requestHeaders = new Headers();
let cookieValue: string | undefined;
vi.mock("next/headers", () => ({
  headers: async () => requestHeaders,
  cookies: async () => ({ get: (name: string) => (name === "demo_knobs" && cookieValue ? { name, value: cookieValue } : undefined) }),
}));

afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
  requestHeaders = new Headers();
  cookieValue = undefined;
});

async function config(vars: Record<string, string> = {}) {
  vi.stubEnv("DEMO_MODE", "true");
  vi.stubEnv("DEMO_UPSTREAM_URL", "");
  vi.stubEnv("__NEXT_PRIVATE_ORIGIN", "http://localhost:3100");
  for (const [k, v] of Object.entries(vars)) vi.stubEnv(k, v);
  vi.resetModules();
  return (await import("./chat-config")).chatPipelineConfig();
}

describe("chatPipelineConfig", () => {
  it("calls the in-app demo upstream at the server's own address, whatever Host and X-Forwarded-Host say", async () => {
    requestHeaders = new Headers({ host: "attacker.example:8080", "x-forwarded-host": "169.254.169.254:80", "x-forwarded-proto": "http" });
    const c = await config();
    expect(c.demoBaseUrl).toBe("http://127.0.0.1:3100/api/demo-upstream/v1");
  });

  it("uses DEMO_UPSTREAM_URL when set", async () => {
    requestHeaders = new Headers({ "x-forwarded-host": "attacker.example" });
    expect((await config({ DEMO_UPSTREAM_URL: "http://10.0.0.7:4010/v1" })).demoBaseUrl).toBe("http://10.0.0.7:4010/v1");
  });

  it("sends the app's secret, and from the demo_knobs cookie only pacing and failure knobs", async () => {
    cookieValue = encodeURIComponent(JSON.stringify({ "x-demo-tps": 25, "x-demo-zero-usage": 1, "x-demo-no-usage": 1, [DEMO_SECRET_HEADER]: "guess" }));
    const c = await config();
    expect(c.upstreamHeaders).toEqual({ "x-demo-tps": "25", [DEMO_SECRET_HEADER]: demoUpstreamSecret() });
  });
});
