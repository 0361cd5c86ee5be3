import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { upstreamFetch } from "./http-fetch";

let server: http.Server;
let base: string;
let released: (() => void) | null = null;
let closedMidBody = 0;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      if (req.url === "/echo") {
        res.writeHead(201, { "content-type": "application/json", "x-seen": req.headers["x-test"] ?? "" });
        res.end(JSON.stringify({ method: req.method, body }));
      } else if (req.url === "/slow") {
        // First chunk now, second only when the test says so.
        res.writeHead(200, { "content-type": "text/event-stream" });
        res.write("data: one\n\n");
        res.on("close", () => {
          if (!res.writableEnded) closedMidBody++;
        });
        released = () => res.end("data: two\n\n");
      } else if (req.url === "/cut") {
        res.writeHead(200, { "content-type": "text/event-stream" });
        res.write("data: one\n\n");
        setTimeout(() => res.socket?.destroy(), 20);
      } else if (req.url === "/hang") {
        // Never answers.
      } else {
        res.writeHead(404).end("nope");
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const dec = new TextDecoder();

describe("upstreamFetch", () => {
  it("sends method, headers and body; returns status, headers and body like fetch", async () => {
    const res = await upstreamFetch(`${base}/echo`, { method: "POST", headers: { "X-Test": "yes", "content-type": "application/json" }, body: '{"a":"流"}' });
    expect(res.status).toBe(201);
    expect(res.headers.get("x-seen")).toBe("yes");
    expect(await res.json()).toEqual({ method: "POST", body: '{"a":"流"}' });
    const missing = await upstreamFetch(`${base}/missing`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toBe("nope");
  });

  it("streams: the first chunk is readable before the server has written the rest", async () => {
    const res = await upstreamFetch(`${base}/slow`, { method: "POST", body: "{}" });
    const reader = res.body!.getReader();
    const first = await reader.read();
    expect(dec.decode(first.value)).toBe("data: one\n\n");
    released!();
    let rest = "";
    for (;;) {
      const r = await reader.read();
      if (r.done) break;
      rest += dec.decode(r.value);
    }
    expect(rest).toBe("data: two\n\n");
  });

  it("aborting mid-body errors the body with an AbortError and closes the connection", async () => {
    const ac = new AbortController();
    const before = closedMidBody;
    const res = await upstreamFetch(`${base}/slow`, { method: "POST", body: "{}", signal: ac.signal });
    const reader = res.body!.getReader();
    await reader.read();
    ac.abort();
    await expect(reader.read()).rejects.toMatchObject({ name: "AbortError" });
    await expect.poll(() => closedMidBody).toBe(before + 1);
  });

  it("aborting before the response rejects with an AbortError; an aborted signal never connects", async () => {
    const ac = new AbortController();
    const p = upstreamFetch(`${base}/hang`, { method: "POST", body: "{}", signal: ac.signal });
    setTimeout(() => ac.abort(), 20);
    await expect(p).rejects.toMatchObject({ name: "AbortError" });
    await expect(upstreamFetch(`${base}/echo`, { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: "AbortError" });
  });

  it("a connection cut mid-body is an error, not a clean end", async () => {
    const res = await upstreamFetch(`${base}/cut`, { method: "POST", body: "{}" });
    const reader = res.body!.getReader();
    expect(dec.decode((await reader.read()).value)).toBe("data: one\n\n");
    await expect(reader.read()).rejects.toThrow();
  });
});
