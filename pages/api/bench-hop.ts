import type { IncomingMessage, ServerResponse } from "node:http";
import type { PageConfig } from "next";
import { Agent, request } from "undici";

/**
 * bench:gateway's reference for what `next start` itself costs a streamed reply: the bare hop
 * (scripts/bench-bare-proxy.mjs) as a Pages Router API route of this app, piping a chat request
 * to one fixed upstream and its SSE bytes back, with no auth, parsing or ledger.
 *
 * Off unless the server was started with BENCH_HOP_UPSTREAM (only the benchmark sets it): a 404
 * otherwise, so a deployment never carries an open proxy.
 */
export const config: PageConfig = { api: { bodyParser: false, externalResolver: true, responseLimit: false } };

let dispatcher: Agent | undefined;

export default async function benchHop(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const upstream = process.env.BENCH_HOP_UPSTREAM;
  if (!upstream || req.method !== "POST") {
    res.writeHead(404, { "content-type": "application/json" }).end('{"error":"not_found"}');
    return;
  }
  dispatcher ??= new Agent({ connections: 512, pipelining: 1 });
  const body: Buffer[] = [];
  for await (const c of req) body.push(c as Buffer);
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && (k === "content-type" || k === "accept" || k.startsWith("x-demo-"))) headers[k] = v;
  try {
    const up = await request(`${upstream}/chat/completions`, { method: "POST", headers, body: Buffer.concat(body), dispatcher });
    res.writeHead(up.statusCode, {
      "content-type": String(up.headers["content-type"] ?? "application/octet-stream"),
      "cache-control": "no-cache, no-transform",
    });
    for await (const chunk of up.body) res.write(chunk);
    res.end();
  } catch {
    res.destroy();
  }
}
