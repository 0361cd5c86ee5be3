/**
 * Serves a fetch-style handler on node:http — the standalone demo upstream (scripts/upstream-demo.ts)
 * and the tests use it. Writes each chunk as it comes (no buffering) and aborts the request
 * signal when the client goes away.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { handleDemoRequest } from "./server";

export type RunningServer = {
  /** http://host:port */
  origin: string;
  /** origin + "/v1", what OpenAI clients take as baseURL. */
  baseUrl: string;
  port: number;
  close: () => Promise<void>;
};

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Headers about the connection, not the response: Node's server sets them (its Keep-Alive hint among them). */
const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding", "upgrade", "proxy-connection", "te", "trailer"]);

async function bridge(handler: (r: Request) => Promise<Response>, req: IncomingMessage, res: ServerResponse, origin: string) {
  const ac = new AbortController();
  res.on("close", () => {
    if (!res.writableFinished) ac.abort();
  });
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) {
    if (Array.isArray(v)) for (const x of v) headers.append(k, x);
    else if (v !== undefined) headers.set(k, v);
  }
  const method = req.method ?? "GET";
  const body = method === "GET" || method === "HEAD" ? undefined : await readBody(req);
  const request = new Request(new URL(req.url ?? "/", origin), { method, headers, body: body ? new Uint8Array(body) : undefined, signal: ac.signal });
  const response = await handler(request);
  // A handler's own `connection` header would stop Node from sending `Keep-Alive: timeout=…`,
  // and a client without that hint closes idle connections after its own short default.
  const out: Record<string, string> = {};
  for (const [k, v] of response.headers) if (!HOP_BY_HOP.has(k)) out[k] = v;
  res.writeHead(response.status, out);
  if (!response.body) return void res.end();
  const reader = response.body.getReader();
  ac.signal.addEventListener("abort", () => void reader.cancel().catch(() => {}));
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      res.write(value);
    }
    res.end();
  } catch {
    // The handler broke the stream on purpose (x-demo-fail-mode: drop) or the client left:
    // flush what was written, then cut the connection without the final chunk.
    if (res.writableLength > 0 && !res.destroyed) await new Promise((r) => res.once("drain", r));
    res.destroy();
  }
}

export function serveFetchHandler(handler: (r: Request) => Promise<Response>, options: { port?: number; host?: string } = {}): Promise<RunningServer> {
  const host = options.host ?? "127.0.0.1";
  let origin = "";
  const server = createServer((req, res) => {
    bridge(handler, req, res, origin).catch((err: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: { message: String(err), type: "server_error" } }));
      } else res.destroy();
    });
  });
  server.keepAliveTimeout = 65_000;
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      const port = (server.address() as AddressInfo).port;
      origin = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
      resolve({
        origin,
        baseUrl: `${origin}/v1`,
        port,
        close: () =>
          new Promise<void>((r) => {
            server.closeAllConnections();
            server.close(() => r());
          }),
      });
    });
  });
}

/** Starts the demo upstream on a real port (0 = any free port). */
export function startDemoUpstream(options: { port?: number; host?: string; handler?: (r: Request) => Promise<Response> } = {}) {
  return serveFetchHandler(options.handler ?? handleDemoRequest, options);
}
