#!/usr/bin/env node
// npm run bench:web:ab -- <commit> — Lighthouse (mobile) on the pages of another commit against
// this tree, in one run: the two builds are served side by side and their runs interleave, so a
// change is measured against what it replaced at the same moment (a Lighthouse score on this
// machine swings by 10 points from one minute to the next; an interleaved pair much less).
//
// The other commit is checked out as a git worktree beside this checkout (BENCH_AB_DIR, default
// ../<this folder>-bench-ab, as bench:gateway:ab does; its node_modules hard-linked), both trees are
// built (NEXT_DIST_DIR=.next-web-ab; BENCH_SKIP_BUILD=1 reuses the builds) and started in demo
// mode on their own PGlite, the demo subscriber signs in to each, and every route is measured
// AB_RUNS times (3) per tree, the order alternating. Knobs: BENCH_ROUTES (comma-separated;
// default /models,/chat,/bills,/bills/[id]; "/bills/[id]" opens the newest bill).
// Prints one JSON line: per route, per tree ("base" and "this") the median performance score,
// TBT and LCP, every run's score, and Lighthouse's benchmarkIndex.
import { spawn, execFileSync } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import path from "node:path";
import { chromium } from "@playwright/test";
import { abWorktree, demoAppEnv, signInDemo } from "./bench-shared.mjs";

const baseCommit = process.argv[2];
if (!baseCommit) throw new Error("usage: npm run bench:web:ab -- <commit>");
const here = process.cwd();
const baseDir = abWorktree(baseCommit);

const log = (...a) => console.error("[bench:web:ab]", ...a);
const DIST = ".next-web-ab";
const trees = { base: baseDir, this: here };
const env = demoAppEnv({ NEXT_DIST_DIR: DIST });
for (const t of Object.keys(trees)) {
  if (process.env.BENCH_SKIP_BUILD && existsSync(path.join(trees[t], DIST, "BUILD_ID"))) continue;
  log(`next build (${t}) …`);
  execFileSync("node_modules/.bin/next", ["build"], { cwd: trees[t], stdio: ["ignore", "ignore", "inherit"], env: { ...env, NODE_ENV: "production" } });
  execFileSync("git", ["-C", trees[t], "checkout", "-q", "tsconfig.json"]);
}

const ports = { base: 3421, this: 3422 };
const children = [];
process.on("exit", () => {
  for (const c of children)
    try {
      process.kill(-c.pid, "SIGKILL");
    } catch {
      // already gone
    }
});
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => process.exit(130));
const bases = {};
for (const t of Object.keys(trees)) {
  const pglite = path.join(trees[t], ".data", "pglite-web-ab");
  rmSync(pglite, { recursive: true, force: true });
  children.push(
    spawn(process.execPath, ["server.mjs", "-p", String(ports[t]), "-H", "127.0.0.1"], {
      cwd: trees[t],
      stdio: ["ignore", "ignore", "inherit"],
      env: { ...env, PGLITE_DIR: pglite },
      detached: true,
    }),
  );
  bases[t] = `http://127.0.0.1:${ports[t]}`;
}
for (const b of Object.values(bases)) {
  let up = false;
  for (let i = 0; i < 240 && !up; i++) {
    try {
      up = (await fetch(`${b}/api/health`)).ok;
    } catch {
      // not listening yet
    }
    if (!up) await new Promise((r) => setTimeout(r, 500));
  }
  if (!up) throw new Error(`${b} did not start`);
}

const chrome = ["/usr/bin/chromium", "/usr/lib/chromium/chromium"].find((p) => existsSync(p));
const flags = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--disable-background-networking"];
const browser = await chromium.launch({ executablePath: chrome, args: ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"] });
/** The demo subscriber signed in on `base`: the cookie header. */
async function cookieFor(base) {
  const context = await signInDemo(browser, base, "13800000001");
  const cookie = (await context.cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
  await context.close();
  return cookie;
}
const cookies = {};
for (const t of Object.keys(trees)) cookies[t] = await cookieFor(bases[t]);
await browser.close();

const routes = (process.env.BENCH_ROUTES || "/models,/chat,/bills,/bills/[id]").split(",");
const runs = Number(process.env.AB_RUNS || 3);
const signedOut = (r) => r === "/login" || r === "/floor";
const billUrl = {};
async function urlOf(t, route) {
  if (route !== "/bills/[id]") return `${bases[t]}${route}`;
  if (billUrl[t]) return billUrl[t];
  const html = await (await fetch(`${bases[t]}/bills`, { headers: { cookie: cookies[t] } })).text();
  const id = html.match(/href="\/bills\/([0-9a-f-]{36})/)?.[1];
  if (!id) throw new Error(`no bill on ${t}'s /bills`);
  billUrl[t] = `${bases[t]}/bills/${id}`;
  return billUrl[t];
}
function lighthouse(url, cookie) {
  const args = [
    "node_modules/lighthouse/cli/index.js",
    url,
    "--only-categories=performance",
    "--output=json",
    "--output-path=stdout",
    "--quiet",
    `--chrome-flags=${flags.join(" ")}`,
  ];
  if (cookie) args.push(`--extra-headers=${JSON.stringify({ Cookie: cookie })}`);
  const lhr = JSON.parse(execFileSync("node", args, { env: { ...process.env, CHROME_PATH: chrome }, maxBuffer: 256 * 1024 * 1024 }).toString());
  return {
    performance: Math.round(lhr.categories.performance.score * 100),
    tbt_ms: Math.round(lhr.audits["total-blocking-time"].numericValue),
    lcp_ms: Math.round(lhr.audits["largest-contentful-paint"].numericValue),
    benchmark_index: Math.round(lhr.environment.benchmarkIndex),
  };
}
// Looked up once, before the runs: between runs the server closes the idle keep-alive socket, and a
// request on it then fails.
if (routes.includes("/bills/[id]")) for (const t of Object.keys(trees)) await urlOf(t, "/bills/[id]");
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const results = {};
for (let i = 0; i < runs; i++)
  for (const route of routes)
    for (const t of i % 2 ? ["this", "base"] : ["base", "this"]) {
      const r = lighthouse(await urlOf(t, route), signedOut(route) ? null : cookies[t]);
      (results[route] ??= { base: [], this: [] })[t].push(r);
      log(route, t, JSON.stringify(r));
    }
const out = { base: baseCommit, runs, routes: {} };
for (const [route, byTree] of Object.entries(results)) {
  out.routes[route] = {};
  for (const [t, rs] of Object.entries(byTree))
    out.routes[route][t] = {
      performance: median(rs.map((r) => r.performance)),
      tbt_ms: median(rs.map((r) => r.tbt_ms)),
      lcp_ms: median(rs.map((r) => r.lcp_ms)),
      performance_runs: rs.map((r) => r.performance),
      benchmark_index: median(rs.map((r) => r.benchmark_index)),
    };
}
console.log(JSON.stringify(out));
process.exit(0);
