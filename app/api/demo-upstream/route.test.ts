import { describe, expect, it } from "vitest";
import { GET, POST } from "./[...path]/route";
import { DEMO_SECRET_HEADER, demoUpstreamSecret } from "@/lib/demo/upstream/secret";

// The in-app demo upstream answers the app's own calls only (vitest runs with DEMO_MODE=true).

const url = "http://127.0.0.1:3000/api/demo-upstream/v1/chat/completions";
const body = JSON.stringify({ model: "deepseek-chat", messages: [{ role: "user", content: "hi" }] });

describe("/api/demo-upstream", () => {
  it("refuses a browser or any other client: no secret, no answer, no knobs", async () => {
    const r = await POST(
      new Request(url, { method: "POST", headers: { "content-type": "application/json", "x-demo-zero-usage": "1", "x-demo-ttft-ms": "0" }, body }),
    );
    expect(r.status).toBe(403);
    expect((await GET(new Request("http://127.0.0.1:3000/api/demo-upstream/v1/models"))).status).toBe(403);
  });

  it("answers the app's own call", async () => {
    const r = await POST(
      new Request(url, {
        method: "POST",
        headers: { "content-type": "application/json", "x-demo-ttft-ms": "0", "x-demo-tps": "0", [DEMO_SECRET_HEADER]: demoUpstreamSecret() },
        body,
      }),
    );
    expect(r.status).toBe(200);
  });
});
