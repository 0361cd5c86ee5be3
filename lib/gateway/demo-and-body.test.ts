import { afterAll, beforeAll, describe, expect, it } from "vitest";
import http from "node:http";
import { createTestDb } from "@/lib/testing/db";
import type { Database } from "@/lib/db/types";
import type { StartInput, StartResult } from "@/lib/completion/types";
import { DEMO_SECRET_HEADER } from "@/lib/demo/upstream/secret";
import { testGateway, userWithKey } from "@/lib/testing/gateway-harness";
import { nodeRoute } from "./http";

// /api/v1 checks the key before it reads a byte of the body, and passes a client's demo knobs
// on only for pacing and failures (never usage), with the app's own demo upstream secret.

let db: Database;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ db, close } = await createTestDb());
});
afterAll(() => close());

/** Serves one gateway route; reports whether the route ever listened for or read the request's body. */
async function serve(run: Parameters<typeof nodeRoute>[1]) {
  const route = nodeRoute("POST", run);
  const bodyRead: boolean[] = [];
  const server = http.createServer((req, res) => {
    const i = bodyRead.push(false) - 1;
    const on = req.on.bind(req);
    req.on = ((ev: string, fn: (...a: unknown[]) => void) => {
      if (ev === "data") bodyRead[i] = true;
      return on(ev, fn);
    }) as typeof req.on;
    // A body that is all there is taken with read(length) instead (Node's own reads, draining
    // an unread body once the reply is out, ask for no size or 0).
    const read = req.read.bind(req);
    req.read = ((size?: number) => {
      if (size) bodyRead[i] = true;
      return read(size);
    }) as typeof req.read;
    void route(req, res);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  return { port, bodyRead, close: () => new Promise<void>((r) => server.close(() => r())) };
}

function post(port: number, headers: Record<string, string>, body: string) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const r = http.request(
      { host: "127.0.0.1", port, method: "POST", path: "/v1/chat/completions", headers: { "content-type": "application/json", ...headers } },
      (res) => {
        let b = "";
        res.on("data", (c) => (b += c));
        res.on("end", () => resolve({ status: res.statusCode!, body: b }));
      },
    );
    r.on("error", reject);
    r.end(body);
  });
}

describe("the gateway's edge", () => {
  it("answers a missing or wrong key without reading the body", async () => {
    const gw = testGateway(db, "http://127.0.0.1:9/v1");
    const s = await serve((r) => gw.chatCompletions(r));
    try {
      const big = JSON.stringify({ model: "deepseek-chat", messages: [{ role: "user", content: "x".repeat(2_000_000) }] });
      expect((await post(s.port, {}, big)).status).toBe(401);
      expect((await post(s.port, { authorization: "Bearer sk-unitoken-not-a-real-key" }, big)).status).toBe(401);
      expect(s.bodyRead).toEqual([false, false]);
    } finally {
      await s.close();
    }
  });

  it("reads the body once the key is good", async () => {
    const now = new Date();
    const u = await userWithKey(db, { phone: "13912340001", tokens: 1_000_000n, now });
    let input: StartInput | undefined;
    const gw = testGateway(db, "http://127.0.0.1:9/v1", {
      start: async (_db, i) => {
        input = i;
        return { ok: false, code: "insufficient_balance" } as StartResult;
      },
      demoUpstreamHeaders: () => ({ [DEMO_SECRET_HEADER]: "the-apps-own-secret-0123456789" }),
    });
    const s = await serve((r) => gw.chatCompletions(r));
    try {
      const r = await post(
        s.port,
        {
          authorization: `Bearer ${u.apiKey}`,
          "x-demo-tps": "7",
          "x-demo-zero-usage": "1",
          "x-demo-no-usage": "1",
          [DEMO_SECRET_HEADER]: "client-guess-0123456789",
        },
        JSON.stringify({ model: "deepseek-chat", messages: [{ role: "user", content: "hi" }] }),
      );
      expect(r.status).toBeGreaterThanOrEqual(400);
      expect(s.bodyRead).toEqual([true]);
      // Pacing knobs pass; usage knobs and a client's guess at the secret do not.
      expect(input?.config.upstreamHeaders).toEqual({ "x-demo-tps": "7", [DEMO_SECRET_HEADER]: "the-apps-own-secret-0123456789" });
    } finally {
      await s.close();
    }
  });
});
