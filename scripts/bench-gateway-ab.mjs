#!/usr/bin/env node
// npm run bench:gateway:ab -- <commit> — the gateway at another commit against this tree, in one
// run, so a change is measured against what it replaced on the same machine at the same moment
// (this machine's speed swings 2x from day to day; interleaved pairs do not).
//
// The other commit is checked out as a git worktree beside this checkout (BENCH_AB_DIR, default
// ../<this folder>-bench-ab; outside it, so no linter or type check sees a second tree; its
// node_modules hard-linked),
// both trees are built (NEXT_DIST_DIR=.next-ab; BENCH_SKIP_BUILD=1 reuses the builds), each app
// gets its own fresh PostgreSQL database (through the Neon driver) and both call one standalone
// demo upstream. Requests go direct, to the base app and to this tree's app in rotating order;
// then AB_CONC streams at once to each, AB_BURSTS times (the order turning each time). Knobs:
// AB_ROUNDS (6), AB_PAIRS (25), AB_CONC (200), AB_BURSTS (2),
// AB_WALLETS (1: every request on one wallet; 200: one wallet per concurrent stream).
// Prints one JSON line: per tree the TTFT overhead over direct (p50, p99), the app's own time
// (x-unitoken-overhead-ms) and the concurrent TTFT, beside direct's.
import { spawn, execFileSync } from "node:child_process";
import { copyFileSync, existsSync } from "node:fs";
import path from "node:path";
import { abWorktree } from "./bench-shared.mjs";

const baseCommit = process.argv[2];
if (!baseCommit) throw new Error("usage: npm run bench:gateway:ab -- <commit>");
if (!process.env.PG_TEST_URL) throw new Error("run through `npm run bench:gateway:ab` (PG_TEST_URL unset)");
const here = process.cwd();
const baseDir = abWorktree(baseCommit);
copyFileSync(path.join(here, "scripts/bench-ab-prep.ts"), path.join(baseDir, "scripts/bench-ab-prep.ts"));
const trees = { old: baseDir, new: here };
for (const t of ["old", "new"]) {
  if (process.env.BENCH_SKIP_BUILD && existsSync(path.join(trees[t], ".next-ab/BUILD_ID"))) continue;
  console.error(`[ab] next build (${t}) …`);
  execFileSync("node_modules/.bin/next", ["build"], {
    cwd: trees[t],
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, NODE_ENV: "production", NEXT_DIST_DIR: ".next-ab", NEXT_TELEMETRY_DISABLED: "1", DEMO_MODE: "true", DEMO_PUBLIC: "true" },
  });
  execFileSync("git", ["-C", trees[t], "checkout", "-q", "tsconfig.json"]);
}
const ports = { old: 3411, new: 3412 };
const ws = { old: 54361, new: 54362 };
const UP = 4411;
const ROUNDS = Number(process.env.AB_ROUNDS ?? 6),
  PAIRS = Number(process.env.AB_PAIRS ?? 25),
  CONC = Number(process.env.AB_CONC ?? 200),
  BURSTS = Math.max(1, Number(process.env.AB_BURSTS ?? 2));
const log = (...a) => console.error("[ab]", ...a);
const children = [];
const cleanup = () => {
  for (const c of children.reverse())
    try {
      process.kill(-c.pid, "SIGTERM");
    } catch {}
};
process.on("exit", cleanup);
process.on("SIGINT", () => process.exit(130));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function waitFor(url, ms) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    try {
      const r = await fetch(url);
      if (r.status < 500) return;
    } catch {}
    await sleep(250);
  }
  throw new Error(url + " not up");
}
const pct = (s, p) => s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
const sort = (a) => [...a].sort((x, y) => x - y);
const r2 = (n) => Math.round(n * 100) / 100;
const KNOBS = { "x-demo-ttft-ms": "20", "x-demo-tps": "200", "x-demo-tokens": "30" };
const BODY = JSON.stringify({ model: "deepseek-chat", messages: [{ role: "user", content: "Benchmark: say something short." }], stream: true, max_tokens: 30 });
async function stream(url, headers) {
  const t0 = performance.now();
  let res;
  try {
    res = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...KNOBS, ...headers }, body: BODY });
  } catch {
    return { ok: false, status: 0 };
  }
  if (!res.ok || !res.body) {
    await res.text().catch(() => "");
    return { ok: false, status: res.status };
  }
  const self = res.headers.get("x-unitoken-overhead-ms");
  const reader = res.body.getReader();
  const dec = new TextDecoder();
  let ttft = NaN,
    sawDone = false;
  for (;;) {
    const r = await reader.read();
    if (r.done) break;
    const s = dec.decode(r.value, { stream: true });
    if (Number.isNaN(ttft) && /"content":"[^"]/.test(s)) ttft = performance.now() - t0;
    if (s.includes("[DONE]")) sawDone = true;
  }
  return { ok: sawDone && !Number.isNaN(ttft), ttft, status: res.status, self: self == null ? undefined : Number(self) };
}
const WALLETS = Number(process.env.AB_WALLETS ?? 1);
const apps = {};
for (const t of ["old", "new"]) {
  const out = execFileSync("node_modules/.bin/tsx", ["scripts/bench-ab-prep.ts"], {
    cwd: trees[t],
    env: { ...process.env, AB_DB: `ab_${t}`, AB_WALLETS: String(WALLETS) },
  }).toString();
  apps[t] = JSON.parse(out.trim().split("\n").pop());
  const p = spawn(process.execPath, ["-e", `import("./scripts/pg-env.mjs").then((m) => m.startWsProxy({ port: ${ws[t]} }))`], {
    cwd: trees[t],
    stdio: ["ignore", "ignore", "inherit"],
    detached: true,
  });
  children.push(p);
}
const up = spawn("node_modules/.bin/tsx", ["scripts/upstream-demo.ts", "--port", String(UP), "--host", "127.0.0.1"], {
  cwd: trees.new,
  stdio: ["ignore", "ignore", "inherit"],
  detached: true,
});
children.push(up);
const upstreamBase = `http://127.0.0.1:${UP}/v1`;
await waitFor(`${upstreamBase}/models`, 60000);
for (const t of ["old", "new"]) {
  const env = {
    ...process.env,
    NODE_ENV: "production",
    NEXT_DIST_DIR: ".next-ab",
    DATABASE_URL: apps[t].url,
    DATABASE_DRIVER: "neon",
    NEON_WS_PROXY: `127.0.0.1:${ws[t]}`,
    DEMO_MODE: "true",
    DEMO_PUBLIC: "true",
    DEMO_UPSTREAM_URL: upstreamBase,
    AUTH_SECRET: "bench-secret-not-for-production-0123456789",
    AUTH_TRUST_HOST: "true",
    API_RATE_LIMIT_RPM: "10000000",
    NEXT_TELEMETRY_DISABLED: "1",
  };
  // Each tree's own production server: server.mjs where it has one, else `next start`.
  const cmd = existsSync(path.join(trees[t], "server.mjs")) ? [process.execPath, "server.mjs"] : [path.join(trees[t], "node_modules/.bin/next"), "start"];
  const a = spawn(cmd[0], [...cmd.slice(1), "-p", String(ports[t]), "-H", "127.0.0.1"], {
    cwd: trees[t],
    stdio: ["ignore", "ignore", "inherit"],
    env,
    detached: true,
  });
  children.push(a);
}
for (const t of ["old", "new"]) await waitFor(`http://127.0.0.1:${ports[t]}/api/health`, 120000);
log("up");
const direct = `${upstreamBase}/chat/completions`;
const gw = (t) => `http://127.0.0.1:${ports[t]}/api/v1/chat/completions`;
const auth = (t, i = 0) => ({ authorization: `Bearer ${apps[t].keys[i % apps[t].keys.length]}` });
for (let i = 0; i < 40; i++) await Promise.all([stream(direct, {}), stream(gw("old"), auth("old")), stream(gw("new"), auth("new"))]);
log("warm");
const over = { old: [], new: [] },
  self = { old: [], new: [] };
const orders = [
  ["d", "old", "new"],
  ["old", "new", "d"],
  ["new", "d", "old"],
  ["d", "new", "old"],
  ["new", "old", "d"],
  ["old", "d", "new"],
];
for (let round = 0; round < ROUNDS; round++) {
  for (let i = 0; i < PAIRS; i++) {
    const ord = orders[(round * PAIRS + i) % orders.length];
    const res = {};
    for (const who of ord) res[who] = await stream(who === "d" ? direct : gw(who), who === "d" ? {} : auth(who));
    if (!res.d.ok || !res.old.ok || !res.new.ok) {
      log("error", res.d.status, res.old.status, res.new.status);
      continue;
    }
    for (const t of ["old", "new"]) {
      over[t].push(res[t].ttft - res.d.ttft);
      if (res[t].self !== undefined) self[t].push(res[t].self);
    }
  }
  log(`round ${round + 1}: old p50 ${r2(pct(sort(over.old), 50))} new p50 ${r2(pct(sort(over.new), 50))}`);
}
const conc = { d: [], old: [], new: [] },
  concErr = { old: 0, new: 0 };
const slow = { "x-demo-tps": "50" };
// Each app's keys are used once (20 at a time) right before its burst, as keys in steady use are:
// a burst then measures serving, not first sight of 200 keys (which a cache 5 s old would make
// depend on the order of the bursts: the tree whose burst came later within 5 s would be warm).
const warmKeys = async (who) => {
  for (let i = 0; i < CONC; i += 20) await Promise.all(Array.from({ length: Math.min(20, CONC - i) }, (_, k) => stream(gw(who), auth(who, i + k))));
  await sleep(500);
};
for (let rep = 0; rep < BURSTS; rep++)
  for (const who of rep % 2 ? ["new", "old", "d"] : ["d", "old", "new"]) {
    if (who !== "d") await warmKeys(who);
    const rs = await Promise.all(
      Array.from({ length: CONC }, (_, i) => stream(who === "d" ? direct : gw(who), who === "d" ? slow : { ...auth(who, i), ...slow })),
    );
    if (who !== "d") concErr[who] += rs.filter((s) => !s.ok).length;
    conc[who].push(...rs.filter((s) => s.ok).map((s) => s.ttft));
    await sleep(1500);
  }
const out = { base: baseCommit, rounds: ROUNDS * PAIRS, wallets: WALLETS };
for (const t of ["old", "new"]) {
  const s = sort(over[t]),
    ss = sort(self[t]),
    c = sort(conc[t]);
  out[t] = {
    ttft_over_p50: r2(pct(s, 50)),
    ttft_over_p99: r2(pct(s, 99)),
    self_p50: r2(pct(ss, 50)),
    self_p99: r2(pct(ss, 99)),
    conc_p50: r2(pct(c, 50)),
    conc_p99: r2(pct(c, 99)),
    conc_errors: concErr[t],
  };
}
const cd = sort(conc.d);
out.direct = { conc_p50: r2(pct(cd, 50)), conc_p99: r2(pct(cd, 99)) };
console.log(JSON.stringify(out));
await sleep(1000);
process.exit(0);
