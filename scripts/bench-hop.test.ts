import { afterAll, beforeAll, describe, expect, it } from "vitest";
import http from "node:http";
import type { AddressInfo } from "node:net";
import benchHop from "../pages/api/bench-hop";

// bench:gateway's Next hop (pages/api/bench-hop.ts) is an open pass-through when on: it must be
// off (404) unless the server was started with BENCH_HOP_UPSTREAM.

let upstream: http.Server;
let hop: http.Server;
let upstreamBase = "";
let hopUrl = "";
const seen: { url?: string; auth?: string; demo?: string }[] = [];

beforeAll(async () => {
  upstream = http.createServer((req, res) => {
    seen.push({ url: req.url, auth: req.headers.authorization, demo: req.headers["x-demo-tps"] as string | undefined });
    req.resume();
    res.writeHead(200, { "content-type": "text/event-stream" });
    res.write('data: {"choices":[{"delta":{"content":"你好"}}]}\n\n');
    res.end("data: [DONE]\n\n");
  });
  hop = http.createServer((req, res) => void benchHop(req, res));
  await Promise.all([new Promise<void>((r) => upstream.listen(0, "127.0.0.1", r)), new Promise<void>((r) => hop.listen(0, "127.0.0.1", r))]);
  upstreamBase = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/v1`;
  hopUrl = `http://127.0.0.1:${(hop.address() as AddressInfo).port}/api/bench-hop`;
});
afterAll(async () => {
  await Promise.all([new Promise((r) => hop.close(r)), new Promise((r) => upstream.close(r))]);
});

const post = () =>
  fetch(hopUrl, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: "Bearer secret", "x-demo-tps": "50" },
    body: JSON.stringify({ model: "m", messages: [], stream: true }),
  });

describe("the benchmark's Next hop", () => {
  it("answers 404 and calls nothing unless BENCH_HOP_UPSTREAM is set", async () => {
    const before = process.env.BENCH_HOP_UPSTREAM;
    delete process.env.BENCH_HOP_UPSTREAM;
    try {
      const res = await post();
      expect(res.status).toBe(404);
      expect(seen).toHaveLength(0);
    } finally {
      if (before !== undefined) process.env.BENCH_HOP_UPSTREAM = before;
    }
  });

  it("when on, pipes the request to that upstream's chat completions and the SSE bytes back, without the caller's credentials", async () => {
    const before = process.env.BENCH_HOP_UPSTREAM;
    process.env.BENCH_HOP_UPSTREAM = upstreamBase;
    try {
      const res = await post();
      expect(res.status).toBe(200);
      expect(await res.text()).toContain("你好");
      expect(seen.at(-1)).toEqual({ url: "/v1/chat/completions", auth: undefined, demo: "50" });
      expect((await fetch(hopUrl)).status).toBe(404);
    } finally {
      if (before === undefined) delete process.env.BENCH_HOP_UPSTREAM;
      else process.env.BENCH_HOP_UPSTREAM = before;
    }
  });
});
