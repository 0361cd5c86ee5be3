import { afterEach, describe, expect, it } from "vitest";
import http from "node:http";
import { BodyError, nodeRoute, type GatewayReply, type GatewayRequest, type ReplyStream } from "./http";

let server: http.Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
});

async function serve(method: "GET" | "POST", run: (req: GatewayRequest) => Promise<GatewayReply>): Promise<string> {
  const route = nodeRoute(method, run);
  server = http.createServer((req, res) => void route(req, res));
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

const ok = (body: unknown): GatewayReply => ({ status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

describe("the gateway's Node routes", () => {
  it("reads the JSON body and headers; its own origin ignores a forged Host", async () => {
    const base = await serve("POST", async (req) =>
      ok({
        body: await req.json(),
        key: req.header("authorization"),
        demo: [...req.headers()].filter(([k]) => k.startsWith("x-demo-")),
        origin: req.selfOrigin(),
      }),
    );
    const res = await new Promise<{ json(): Promise<unknown>; status: number }>((resolve, reject) => {
      const r = http.request(
        base,
        { method: "POST", headers: { host: "attacker.example", authorization: "Bearer k", "x-demo-tps": "5", "x-forwarded-proto": "https" } },
        (m) => {
          let t = "";
          m.on("data", (d: Buffer) => (t += d));
          m.on("end", () => resolve({ status: m.statusCode ?? 0, json: async () => JSON.parse(t) }));
        },
      );
      r.on("error", reject);
      r.end(JSON.stringify({ a: "你好" }));
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ body: { a: "你好" }, key: "Bearer k", demo: [["x-demo-tps", "5"]], origin: base });
  });

  it("reads a chunked body (no content-length) to its end", async () => {
    const base = await serve("POST", async (req) => ok({ body: await req.json() }));
    const body = await new Promise<string>((resolve, reject) => {
      const r = http.request(base, { method: "POST", headers: { "transfer-encoding": "chunked" } }, (res) => {
        let t = "";
        res.on("data", (d: Buffer) => (t += d));
        res.on("end", () => resolve(t));
      });
      r.on("error", reject);
      r.write('{"a":');
      setTimeout(() => r.end("[1,2]}"), 20);
    });
    expect(JSON.parse(body)).toEqual({ body: { a: [1, 2] } });
  });

  it("reads a body with a content-length whether it came whole or in pieces, and the connection serves the next request", async () => {
    const base = await serve("POST", async (req) => {
      // The key check comes first: the body is read a turn or more after it arrived.
      await new Promise((r) => setImmediate(r));
      return ok({ body: await req.json() });
    });
    let connections = 0;
    server!.on("connection", () => connections++);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const post = (pieces: string[]) =>
      new Promise<string>((resolve, reject) => {
        const length = Buffer.byteLength(pieces.join(""));
        const r = http.request(base, { method: "POST", agent, headers: { "content-type": "application/json", "content-length": String(length) } }, (res) => {
          let t = "";
          res.on("data", (d: Buffer) => (t += d));
          res.on("end", () => resolve(t));
        });
        r.on("error", reject);
        r.write(pieces[0]);
        if (pieces.length > 1) setTimeout(() => r.end(pieces[1]), 30);
        else r.end();
      });
    try {
      expect(JSON.parse(await post(['{"a":"你好","b":[1,2]}']))).toEqual({ body: { a: "你好", b: [1, 2] } });
      expect(JSON.parse(await post(['{"a":"半', '个"}']))).toEqual({ body: { a: "半个" } });
      expect(JSON.parse(await post(['{"a":1}']))).toEqual({ body: { a: 1 } });
      expect(connections).toBe(1);
    } finally {
      agent.destroy();
    }
  });

  it("makes the request's signal when first asked: aborted if the client had already left, else when it leaves", async () => {
    const aborted = new Map<string, boolean>();
    let done!: () => void;
    const all = new Promise<void>((r) => (done = r));
    const base = await serve("POST", async (req) => {
      const ask = req.header("x-ask")!;
      // "first" holds the signal from the start; "late" asks for it only after the client left.
      const early = ask === "first" ? req.signal : undefined;
      await new Promise((r) => setTimeout(r, 150));
      aborted.set(ask, (early ?? req.signal).aborted);
      if (aborted.size === 3) done();
      return ok({});
    });
    for (const ask of ["first", "late", "stays"]) {
      const r = http.request(base, { method: "POST", headers: { "x-ask": ask } });
      r.on("error", () => {});
      r.on("response", (m) => m.resume());
      r.end("{}");
      if (ask !== "stays") setTimeout(() => r.destroy(), 30);
    }
    await all;
    expect(Object.fromEntries(aborted)).toEqual({ first: true, late: true, stays: false });
  });

  it("answers 405 in OpenAI's format for another method", async () => {
    const base = await serve("POST", async () => ok({}));
    const res = await fetch(base);
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("POST");
    expect((await res.json()).error).toMatchObject({ type: "invalid_request_error", code: "method_not_allowed" });
  });

  it("rejects invalid JSON and bodies over the limit with a BodyError", async () => {
    const seen: string[] = [];
    const base = await serve("POST", async (req) => {
      try {
        await req.json();
        return ok({});
      } catch (e) {
        seen.push((e as BodyError).code);
        return ok({ refused: true });
      }
    });
    await fetch(base, { method: "POST", body: "{nope" }).then((r) => r.json());
    await fetch(base, { method: "POST", body: "x".repeat(8 * 1024 * 1024 + 1) }).then((r) => r.json());
    expect(seen).toEqual(["invalid_json", "request_too_large"]);
  });

  it("answers 500 in OpenAI's format when the handler throws", async () => {
    const base = await serve("GET", async () => {
      throw new Error("boom");
    });
    const res = await fetch(base);
    expect(res.status).toBe(500);
    expect((await res.json()).error).toMatchObject({ type: "api_error", code: "internal_error" });
  });

  it("streams each piece as it comes and cancels the stream when the client leaves", async () => {
    let cancelled = false;
    let served = 0;
    const base = await serve("GET", async () => {
      const stream: ReplyStream = {
        pipe(out) {
          const timer = setInterval(() => {
            if (cancelled) return clearInterval(timer);
            out.write(`data: ${++served}\n\n`);
          }, 20);
          return { more() {} };
        },
        cancel: () => void (cancelled = true),
      };
      return { status: 200, headers: { "content-type": "text/event-stream" }, stream };
    });
    const ac = new AbortController();
    const res = await fetch(base, { signal: ac.signal });
    const reader = res.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toBe("data: 1\n\n");
    ac.abort();
    await expect.poll(() => cancelled).toBe(true);
    await new Promise((r) => setTimeout(r, 60));
    expect(served).toBeLessThanOrEqual(3);
  });

  it("cuts the connection when a stream fails mid-way", async () => {
    const base = await serve("GET", async () => ({
      status: 200,
      headers: { "content-type": "text/event-stream" },
      stream: {
        pipe(out) {
          out.write("data: 1\n\n");
          setTimeout(() => out.fail(new Error("pipeline broke")), 20);
          return { more() {} };
        },
        cancel() {},
      },
    }));
    const res = await fetch(base);
    const reader = res.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe("data: 1\n\n");
    await expect(reader.read()).rejects.toThrow();
  });

  it("a piped stream writes what it hands over, waits for the socket to drain, and ends with its last piece", async () => {
    let mores = 0;
    let pendingWrites = 0;
    const big = "x".repeat(256 * 1024);
    const base = await serve("GET", async () => ({
      status: 200,
      headers: { "content-type": "text/event-stream" },
      stream: {
        cancel() {},
        pipe(out) {
          // Write until the socket's buffer is full, then again on each more(), then end.
          const fill = () => {
            while (pendingWrites < 8) {
              pendingWrites++;
              if (!out.write(`data: ${big}\n\n`)) return;
            }
            out.end("data: [DONE]\n\n");
          };
          fill();
          return {
            more() {
              mores++;
              fill();
            },
          };
        },
      },
    }));
    const text = await (await fetch(base)).text();
    expect(text.split("\n\n").filter(Boolean)).toHaveLength(9);
    expect(text.endsWith("data: [DONE]\n\n")).toBe(true);
    expect(mores).toBeGreaterThan(0);
  });

  it("a piped stream is cancelled when the client leaves, and writes nothing after", async () => {
    let cancelled = false;
    let write: ((s: string) => boolean) | null = null;
    const base = await serve("GET", async () => ({
      status: 200,
      headers: { "content-type": "text/event-stream" },
      stream: {
        cancel: () => void (cancelled = true),
        pipe(out) {
          write = out.write;
          out.write("data: 1\n\n");
          return { more() {} };
        },
      },
    }));
    const ac = new AbortController();
    const res = await fetch(base, { signal: ac.signal });
    const reader = res.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe("data: 1\n\n");
    ac.abort();
    await expect.poll(() => cancelled).toBe(true);
    expect(write!("data: 2\n\n")).toBe(false);
  });
});
