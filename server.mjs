#!/usr/bin/env node
// The production server (`npm start`): Next.js for every page, action and route, except the
// developer API (/api/v1/*: chat completions, messages, embeddings, models). Those are Pages Router
// API routes whose handlers take Node's request and response (lib/gateway/http.ts `nodeRoute`);
// this server calls the built handlers directly, without Next's request pipeline around them, which
// costs a few milliseconds of time-to-first-token and of CPU per request (see README, benchmarks).
// The handlers are the same built modules Next would load, in the same process, so they share the
// app's state (database pool, route health, rate limits) with the rest of it.
//
//   node server.mjs [-p PORT] [-H HOSTNAME]     (the port from PORT otherwise, 3000 by default;
//                                                every interface unless -H names one)
import "./lib/server/platform-originals.mjs";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import path from "node:path";
import next from "next";

function option(short, long) {
  const args = process.argv.slice(2);
  for (let i = 0; i < args.length; i++) {
    if (args[i] === short || args[i] === long) return args[i + 1];
    if (args[i].startsWith(`${long}=`)) return args[i].slice(long.length + 1);
  }
  return undefined;
}

const port = Number(option("-p", "--port") || process.env.PORT || 3000);
const hostname = option("-H", "--hostname") || undefined;
const dir = process.cwd();
// The same rule as next.config.ts's distDir.
const distDir = path.join(dir, process.env.NEXT_DIST_DIR || ".next");

const app = next({ dev: false, dir, hostname: hostname ?? "localhost", port });
const handle = app.getRequestHandler();
// Loads the config and runs instrumentation.ts (env check, peer address header, sweeper).
await app.prepare();

/** pathname → the built API route's own handler, for the developer API's routes. */
const api = new Map();
const requireBuilt = createRequire(path.join(distDir, "server", "index.js"));
const manifest = JSON.parse(readFileSync(path.join(distDir, "server", "pages-manifest.json"), "utf8"));
async function builtHandler(file) {
  // A module with top-level await is built as a promise of its exports.
  const mod = await requireBuilt(path.join(distDir, "server", file));
  // `default` is the route's own export (Next's template re-exports it beside its `handler`).
  if (typeof mod.default !== "function") throw new Error(`${file}: no request handler`);
  return mod.default;
}
for (const [pathname, file] of Object.entries(manifest)) {
  if (pathname.startsWith("/api/v1/")) api.set(pathname, await builtHandler(file));
}
// bench:gateway's reference hop (pages/api/bench-hop.ts, only when the benchmark sets
// BENCH_HOP_UPSTREAM) called the same direct way, beside its route through Next.
if (process.env.BENCH_HOP_UPSTREAM && manifest["/api/bench-hop"]) {
  api.set("/api/bench-hop/direct", await builtHandler(manifest["/api/bench-hop"]));
}

const server = createServer((req, res) => {
  const url = req.url ?? "/";
  const q = url.indexOf("?");
  const route = api.get(q < 0 ? url : url.slice(0, q));
  if (!route) return void handle(req, res);
  Promise.resolve(route(req, res)).catch((err) => {
    // The handlers answer their own errors; this is only for one that escaped them.
    console.error("[server] API request failed", err instanceof Error ? err.name : typeof err);
    if (!res.headersSent) {
      res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message: "Internal error.", type: "server_error", code: "internal" } }));
    } else res.destroy();
  });
});
// Idle keep-alive connections stay open 65 s (Node's default is 5 s), told to clients in the
// Keep-Alive header: longer than a load balancer's usual 60 s idle timeout, so one never sends a
// request on a connection this server is closing, and API clients that stream all day reuse theirs.
server.keepAliveTimeout = 65_000;
server.listen(port, hostname, () => {
  // Where this server listens, recorded as `next start` records it: the app's calls to itself (the
  // in-app demo upstream, lib/server/env.ts serverOrigin) go there, never to a request's Host.
  const host = !hostname || hostname === "0.0.0.0" || hostname === "::" ? "localhost" : hostname;
  process.env.__NEXT_PRIVATE_ORIGIN = `http://${host.includes(":") ? `[${host}]` : host}:${server.address().port}`;
  console.log(`> Ready on http://${hostname ?? "localhost"}:${port} (API routes: ${[...api.keys()].join(", ")})`);
});
for (const sig of ["SIGINT", "SIGTERM"]) {
  process.on(sig, () => {
    server.close();
    process.exit(0);
  });
}
