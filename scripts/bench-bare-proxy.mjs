// The physical reference for bench:gateway: a bare pass-through hop. It pipes the request to the
// upstream and the SSE bytes back with undici — no auth, no parsing, no ledger — so what the
// gateway adds can be compared with what any extra hop costs on this machine.
//   node scripts/bench-bare-proxy.mjs <port> <upstream origin>
import http from "node:http";
import { Agent, request } from "undici";

const [port, upstream] = [Number(process.argv[2]), process.argv[3]];
const dispatcher = new Agent({ connections: 512, pipelining: 1 });

const server = http.createServer(async (req, res) => {
  const body = [];
  for await (const c of req) body.push(c);
  const headers = {};
  for (const [k, v] of Object.entries(req.headers)) if (k === "content-type" || k === "accept" || k.startsWith("x-demo-")) headers[k] = v;
  try {
    const up = await request(upstream + req.url, { method: req.method, headers, body: Buffer.concat(body), dispatcher });
    res.writeHead(up.statusCode, { "content-type": up.headers["content-type"] ?? "application/octet-stream" });
    for await (const chunk of up.body) res.write(chunk);
    res.end();
  } catch {
    res.destroy();
  }
});
// The same idle keep-alive as the app's server (server.mjs) and the demo upstream.
server.keepAliveTimeout = 65_000;
server.listen(port, "127.0.0.1");
