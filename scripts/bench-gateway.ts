// npm run bench:gateway — what the OpenAI-compatible gateway adds on top of the model.
//
// The demo upstream runs standalone on one port; the app (`next build && next start`, its own
// NEXT_DIST_DIR=.next-bench) runs on another against real PostgreSQL through the Neon driver
// (a fresh database on the with-pg cluster, reached over the WebSocket proxy). The same streaming
// requests (carrying tool definitions, as an agent's do) go direct to the upstream, through a
// bare pass-through hop (scripts/bench-bare-proxy.mjs: undici piping the request and the SSE
// bytes, no auth, no ledger) and through the gateway, interleaved with the order rotating, for
// BENCH_ROUNDS rounds; then 200 concurrent streams go each way.
//
//   ttft_overhead_ms        per triple: gateway TTFT − direct TTFT (auth, rate limit, key cap,
//                           wallet reservation, SSE re-framing, one extra loopback hop)
//   chunk_gap_overhead_ms   p99 of the gateway's gaps between content chunks − p99 of direct's
//   bare_hop                the same for the bare hop: what any extra hop costs on this machine
//   next_hop                the same bare hop as a route of this app (pages/api/bench-hop.ts,
//                           on only with BENCH_HOP_UPSTREAM): what `next start` itself costs
//   app_hop                 that route's handler called directly by server.mjs, as /api/v1's
//                           are: what a route costs inside the app's process, outside Next
//   ratios                  gateway's added TTFT p50 / p99 over the bare hop's, and the
//                           gateway's chunk gap p99 over the bare hop's: absolute milliseconds
//                           swing with the machine's load, these do not
//   concurrent              bursts of 200 streams at once direct, through the bare hop and
//                           through the gateway, taking turns, with this process (the clients)
//                           and the demo upstream on the first core and the system under test
//                           (the app, PostgreSQL and its WebSocket proxy; the bare hop) on the
//                           others, as separate machines would be: the gateway's work does not
//                           slow the provider it measures against (pinned: false when taskset
//                           is missing or BENCH_PIN=0); concurrent_shared_cores: the same again
//                           with every process on every core; overhead_p99 = p99 TTFT through
//                           the gateway − p99 TTFT direct at the same concurrency;
//                           ttft_p50_ratio = gateway p50 / direct p50 (all its bursts' streams
//                           together; burst_ttft_p50_ms = each burst's own p50, in order;
//                           before them one burst of each target opens the connections a
//                           server under steady load holds: cold_burst_ttft_p50_ms, and
//                           cold_ttft_p50_ratio = its gateway p50 / its direct p50, and
//                           cold_errors);
//                           bare_ttft_p50_ratio =
//                           the bare hop's p50 / direct p50 (any extra hop at this concurrency);
//                           ttft_p50_vs_bare = gateway p50 / bare hop p50; phases_ms_p50/_p99 =
//                           the gateway's server-timing of its streams; headers_ms_p50 and
//                           first_token_after_headers_ms_p50 = each target's TTFT split at its
//                           response headers (the gateway's come once the hold stands)
//   failover                a model with two live routes whose first one refuses connections
//                           (a dead port) and whose second is the demo upstream: the TTFT with
//                           the dead route first − the TTFT asking for the live route only
//                           (provider.only), interleaved; target ≤ 50 ms beyond the connect
//                           timeout (a refused connection fails at once, so ≈ the cost of one try)
//
// Prints one JSON line on stdout (progress on stderr). Knobs (env): BENCH_ROUNDS (default 8),
// BENCH_PAIRS (pairs per round, default 25), BENCH_CONCURRENT (default 200), BENCH_CONC_ROUNDS
// (bursts per target, default 3), BENCH_POOL_MAX (the
// app's DATABASE_POOL_MAX, default 40), BENCH_SKIP_BUILD=1
// (reuse .next-bench), BENCH_APP_PORT (3310), BENCH_UPSTREAM_PORT (4310), BENCH_BARE_PORT (4311),
// BENCH_WS_PORT (54341), BENCH_DRIVER (the app's DATABASE_DRIVER: neon, the default, or node),
// BENCH_ONLY=concurrent (warm up, then only the concurrent phase), BENCH_ONLY=sequential (only
// the sequential rounds: no concurrent phase, no failover), BENCH_PIN=0 (the concurrent
// phase unpinned only), BENCH_SHARED=0 (pinned only), BENCH_APP_NODE_ARGS (node's own
// flags for the app's process, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof").
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import pg from "pg";
import { migrateDatabase, openDatabase } from "../lib/db/connect";
import { user } from "../lib/db/schema";
import { ensurePersonalWallet, grant } from "../lib/ledger";
import { createApiKey } from "../lib/apikeys/keys";

const admin = process.env.PG_TEST_URL;
if (!admin) throw new Error("run through `npm run bench:gateway` (PG_TEST_URL unset)");
// The app gets a WebSocket proxy of its own (its own process): the shared one on 54330 belongs
// to whichever with-pg run started it and goes away when that run ends.
const WS_PORT = Number(process.env.BENCH_WS_PORT ?? 54341);
const wsProxy = `127.0.0.1:${WS_PORT}`;
const ROUNDS = Math.max(7, Number(process.env.BENCH_ROUNDS ?? 8));
const PAIRS = Number(process.env.BENCH_PAIRS ?? 25);
const CONCURRENT = Number(process.env.BENCH_CONCURRENT ?? 200);
/** Bursts of CONCURRENT streams per target (direct, bare hop, gateway), taking turns. */
const CONC_ROUNDS = Math.max(1, Number(process.env.BENCH_CONC_ROUNDS ?? 3));
/** The app's connection pool: sized for the concurrent phase, as a deployment serving 200 streams would be. */
const POOL_MAX = Number(process.env.BENCH_POOL_MAX ?? 40);
const APP_PORT = Number(process.env.BENCH_APP_PORT ?? 3310);
const UP_PORT = Number(process.env.BENCH_UPSTREAM_PORT ?? 4310);
const BARE_PORT = Number(process.env.BENCH_BARE_PORT ?? 4311);
const DRIVER = process.env.BENCH_DRIVER === "node" ? "node" : "neon";
const ONLY_CONCURRENT = process.env.BENCH_ONLY === "concurrent";
const ONLY_SEQUENTIAL = process.env.BENCH_ONLY === "sequential";
/** The concurrent phase with the load generator and the upstream on their own core (taskset), then unpinned too. */
const PIN = process.env.BENCH_PIN !== "0" && availableParallelism() >= 2 && spawnSync("taskset", ["-V"]).status === 0;
const SHARED = process.env.BENCH_SHARED !== "0";
const DB_NAME = "unitoken_gateway_bench";
const MODEL = "deepseek-chat";
/** Offered by Moonshot's China and international endpoints: two routes for the failover figure. */
const FAILOVER_MODEL = "kimi-k2-0905-preview";
const FAILOVER_PAIRS = Number(process.env.BENCH_FAILOVER_PAIRS ?? 20);
/** A port nothing listens on (the failover's dead first route). */
const DEAD_PORT = Number(process.env.BENCH_DEAD_PORT ?? 4319);
const log = (...a: unknown[]) => console.error("[bench:gateway]", ...a);

const children: ChildProcess[] = [];
/** Puts the processes pinned for the concurrent phase back on every core (PostgreSQL outlives this run). */
let unpin: (() => void) | undefined;
/** Stops the children, last started first: the app goes before the database proxy it writes through. */
function cleanup() {
  unpin?.();
  for (const c of [...children].reverse())
    if (c.exitCode === null && c.pid) {
      try {
        process.kill(-c.pid, "SIGTERM");
      } catch {
        c.kill("SIGTERM");
      }
    }
}
process.on("exit", cleanup);
for (const sig of ["SIGINT", "SIGTERM"] as const) process.on(sig, () => process.exit(130));

async function waitFor(url: string, ms: number) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    try {
      const r = await fetch(url);
      if (r.status < 500) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not come up`);
}

function pct(sorted: number[], p: number) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
const sort = (a: number[]) => [...a].sort((x, y) => x - y);
const r2 = (n: number) => Math.round(n * 100) / 100;

// ---- database ------------------------------------------------------------------------------
async function prepareDb(): Promise<{ url: string; apiKey: string; walletKeys: string[] }> {
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  await c.query(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
  await c.query(`CREATE DATABASE ${DB_NAME}`);
  await c.end();
  const url = admin!.replace(/\/[^/]*$/, `/${DB_NAME}`);
  const h = await openDatabase({ url, driver: "node" });
  await migrateDatabase(h);
  const now = new Date();
  const [u] = await h.db.insert(user).values({ phone: "13700000000", name: "bench" }).returning();
  const w = await ensurePersonalWallet(h.db, { userId: u!.id });
  await grant(h.db, {
    walletId: w.id,
    kind: "credit",
    amount: 1_000_000_000_000n,
    expiresAt: new Date(now.getTime() + 30 * 86_400_000),
    source: "bench",
    idempotencyKey: "bench:grant",
  });
  const { text } = await createApiKey(h.db, { userId: u!.id, name: "bench", now });
  // The concurrency phase: one user, wallet and key per stream, as many customers at once.
  const walletKeys: string[] = [];
  for (let i = 0; i < CONCURRENT; i++) {
    const [c] = await h.db
      .insert(user)
      .values({ phone: `137${String(10_000_000 + i).slice(-8)}`, name: `bench-${i}` })
      .returning();
    const cw = await ensurePersonalWallet(h.db, { userId: c!.id });
    await grant(h.db, {
      walletId: cw.id,
      kind: "credit",
      amount: 1_000_000_000n,
      expiresAt: new Date(now.getTime() + 30 * 86_400_000),
      source: "bench",
      idempotencyKey: `bench:grant:${i}`,
    });
    walletKeys.push((await createApiKey(h.db, { userId: c!.id, name: "bench", now })).text);
  }
  await h.close();
  return { url, apiKey: text, walletKeys };
}

// ---- one streaming request -----------------------------------------------------------------
type Sample = { ttft: number; gaps: number[]; ok: boolean; status: number; selfMs?: number; phases?: Record<string, number>; headersMs?: number };

const KNOBS = { "x-demo-ttft-ms": "20", "x-demo-tps": "200", "x-demo-tokens": "30" };
// Tool definitions as an agent sends them with every request (the message does not ask for a call).
const TOOLS = [
  {
    type: "function",
    function: {
      name: "read_file",
      description: "Read a file of the project",
      parameters: { type: "object", properties: { path: { type: "string" } }, required: ["path"] },
    },
  },
  {
    type: "function",
    function: {
      name: "search_code",
      description: "Search the code base",
      parameters: { type: "object", properties: { query: { type: "string" }, limit: { type: "integer", minimum: 1 } }, required: ["query"] },
    },
  },
];
const BODY = JSON.stringify({
  model: MODEL,
  messages: [{ role: "user", content: "Benchmark: say something short." }],
  tools: TOOLS,
  stream: true,
  max_tokens: 30,
});

async function stream(url: string, headers: Record<string, string>, body = BODY): Promise<Sample> {
  const t0 = performance.now();
  let res: Response;
  try {
    res = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...KNOBS, ...headers }, body });
  } catch {
    return { ttft: NaN, gaps: [], ok: false, status: 0 };
  }
  if (!res.ok || !res.body) {
    await res.text().catch(() => "");
    return { ttft: NaN, gaps: [], ok: false, status: res.status };
  }
  const headersMs = performance.now() - t0;
  const self = res.headers.get("x-unitoken-overhead-ms");
  const timing = res.headers.get("server-timing");
  const phases = timing ? Object.fromEntries([...timing.matchAll(/(\w+);dur=([\d.]+)/g)].map((m) => [m[1]!, Number(m[2])])) : undefined;
  const reader = res.body.getReader();
  const dec = new TextDecoder();
  let ttft = NaN;
  let last = 0;
  const gaps: number[] = [];
  let done = false;
  let sawDone = false;
  while (!done) {
    const r = await reader.read();
    if (r.done) break;
    const t = performance.now();
    const s = dec.decode(r.value, { stream: true });
    if (/"content":"[^"]/.test(s)) {
      if (Number.isNaN(ttft)) ttft = t - t0;
      else gaps.push(t - last);
      last = t;
    }
    if (s.includes("[DONE]")) sawDone = true;
    if (s.includes('"error"')) done = true;
  }
  return { ttft, gaps, ok: sawDone && !Number.isNaN(ttft), status: res.status, selfMs: self === null ? undefined : Number(self), phases, headersMs };
}

// ---- CPU per process, from /proc ------------------------------------------------------------
/** Clock ticks per second of /proc/<pid>/stat's utime and stime. */
const CLK_TCK = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout.trim()) || 100;
type Proc = { ppid: number; comm: string; ticks: number };
function procTable(): Map<number, Proc> {
  const table = new Map<number, Proc>();
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "utf8");
      const close = stat.lastIndexOf(")");
      // After "(comm)": field 3 (state) onwards; utime and stime are fields 14 and 15.
      const f = stat.slice(close + 2).split(" ");
      table.set(Number(d), { ppid: Number(f[1]), comm: stat.slice(stat.indexOf("(") + 1, close), ticks: Number(f[11]) + Number(f[12]) });
    } catch {
      // The process ended while the table was read.
    }
  }
  return table;
}
/**
 * Each process's CPU ticks so far, by group: a root pid's tree, every `postgres` process, and
 * this process (its own ticks under pid 0).
 */
function cpuNow(roots: Record<string, number | undefined>): Record<string, Map<number, number>> {
  const table = procTable();
  const under = (root: number, pid: number): boolean => {
    for (let p = pid, hops = 0; p > 1 && hops < 64; p = table.get(p)?.ppid ?? 0, hops++) if (p === root) return true;
    return false;
  };
  const out: Record<string, Map<number, number>> = {};
  for (const [name, root] of Object.entries(roots)) {
    if (root === undefined) continue;
    out[name] = new Map([...table].filter(([pid]) => under(root, pid)).map(([pid, p]) => [pid, p.ticks]));
  }
  out.postgres = new Map([...table].filter(([, p]) => p.comm === "postgres").map(([pid, p]) => [pid, p.ticks]));
  const self = process.cpuUsage();
  out.client = new Map([[0, ((self.user + self.system) / 1e6) * CLK_TCK]]);
  return out;
}
/**
 * CPU milliseconds of each group between two readings: per process, so that one ending in between
 * (a pooled connection's backend closing) takes nothing away; one starting counts whole.
 */
function cpuSince(before: Record<string, Map<number, number>>, after: Record<string, Map<number, number>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, procs] of Object.entries(after)) {
    let ticks = 0;
    for (const [pid, t] of procs) ticks += t - (before[name]?.get(pid) ?? 0);
    out[name] = (ticks * 1000) / CLK_TCK;
  }
  return out;
}

async function main() {
  const { url: dbUrl, apiKey, walletKeys } = await prepareDb();
  log("database ready");
  const proxy = spawn(process.execPath, ["-e", `import("./scripts/pg-env.mjs").then((m) => m.startWsProxy({ port: ${WS_PORT} }))`], {
    stdio: ["ignore", "ignore", "inherit"],
    detached: true,
  });
  children.push(proxy);

  // ---- the demo upstream, standalone -------------------------------------------------------
  const up = spawn("node_modules/.bin/tsx", ["scripts/upstream-demo.ts", "--port", String(UP_PORT), "--host", "127.0.0.1"], {
    stdio: ["ignore", "ignore", "inherit"],
    detached: true,
  });
  children.push(up);
  const upstreamBase = `http://127.0.0.1:${UP_PORT}/v1`;
  await waitFor(`${upstreamBase}/models`, 60_000);
  log("demo upstream up on", UP_PORT);
  const bare = spawn(process.execPath, ["scripts/bench-bare-proxy.mjs", String(BARE_PORT), `http://127.0.0.1:${UP_PORT}`], {
    stdio: ["ignore", "ignore", "inherit"],
    detached: true,
  });
  children.push(bare);
  await waitFor(`http://127.0.0.1:${BARE_PORT}/v1/models`, 30_000);
  log("bare pass-through hop up on", BARE_PORT);

  // ---- the app -----------------------------------------------------------------------------
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    NEXT_DIST_DIR: ".next-bench",
    DATABASE_URL: dbUrl,
    DATABASE_DRIVER: DRIVER,
    DATABASE_POOL_MAX: String(POOL_MAX),
    NEON_WS_PROXY: wsProxy,
    DEMO_MODE: "true",
    // next start runs with NODE_ENV=production: demo mode there is a public demo by declaration.
    DEMO_PUBLIC: "true",
    DEMO_UPSTREAM_URL: upstreamBase,
    AUTH_SECRET: "bench-secret-not-for-production-0123456789",
    AUTH_TRUST_HOST: "true",
    API_RATE_LIMIT_RPM: "10000000",
    // Failover: Moonshot's China endpoint is a dead port, its international one the demo upstream
    // (the route order is cheapest first: the CNY-priced China route comes first).
    MOONSHOT_API_KEY: "bench-key",
    MOONSHOTAI_CN_BASE_URL: `http://127.0.0.1:${DEAD_PORT}/v1`,
    MOONSHOTAI_BASE_URL: upstreamBase,
    ROUTE_FAILURE_THRESHOLD: "100",
    NEXT_TELEMETRY_DISABLED: "1",
    // Turns on pages/api/bench-hop.ts, the bare hop inside `next start`.
    BENCH_HOP_UPSTREAM: upstreamBase,
  };
  if (!(process.env.BENCH_SKIP_BUILD && existsSync(".next-bench/BUILD_ID"))) {
    log("next build (.next-bench) …");
    const b = spawnSync("node_modules/.bin/next", ["build"], { stdio: ["ignore", 2, 2], env });
    if (b.status !== 0) throw new Error("next build failed");
  }
  const nodeArgs = (process.env.BENCH_APP_NODE_ARGS ?? "").split(/\s+/).filter(Boolean);
  // The production server (server.mjs): Next for everything, the developer API's handlers called directly.
  const app = spawn(process.execPath, [...nodeArgs, "server.mjs", "-p", String(APP_PORT), "-H", "127.0.0.1"], {
    stdio: ["ignore", "ignore", "inherit"],
    env,
    detached: true,
  });
  children.push(app);
  const appBase = `http://127.0.0.1:${APP_PORT}/api/v1`;
  await waitFor(`http://127.0.0.1:${APP_PORT}/api/health`, 120_000);
  log("app up on", APP_PORT);

  const direct = `${upstreamBase}/chat/completions`;
  const bareHop = `http://127.0.0.1:${BARE_PORT}/v1/chat/completions`;
  // The same bare hop as a route of this app (pages/api/bench-hop.ts): what `next start` itself costs.
  const nextHop = `http://127.0.0.1:${APP_PORT}/api/bench-hop`;
  // The same handler called directly by server.mjs, as the gateway's routes are.
  const appHop = `http://127.0.0.1:${APP_PORT}/api/bench-hop/direct`;
  const gateway = `${appBase}/chat/completions`;
  const auth = { authorization: `Bearer ${apiKey}` };

  // Warm-up: JIT, connection pools, the key cache, the catalog.
  for (let i = 0; i < 40; i++) {
    const [a, b, c] = await Promise.all([stream(direct, {}), stream(gateway, auth), stream(bareHop, {})]);
    if (!b.ok) throw new Error(`gateway warm-up failed (status ${b.status})`);
    if (!c.ok) throw new Error(`bare hop warm-up failed (status ${c.status})`);
    if (!(await stream(nextHop, {})).ok) throw new Error("Next hop warm-up failed");
    if (!(await stream(appHop, {})).ok) throw new Error("app hop warm-up failed");
    void a;
  }
  log("warmed up");

  // ---- sequential, interleaved: direct, bare hop, Next hop, gateway, the order rotating ------
  const ttftOver: number[] = [];
  const bareOver: number[] = [];
  const nextOver: number[] = [];
  const appOver: number[] = [];
  const gapsNext: number[] = [];
  const gapsDirect: number[] = [];
  const gapsGateway: number[] = [];
  const gapsBare: number[] = [];
  const selfReported: number[] = [];
  const phaseSamples: Record<string, number[]> = {};
  let seqErrors = 0;
  const targets = [
    { url: direct, headers: {} },
    { url: bareHop, headers: {} },
    { url: gateway, headers: auth },
    { url: nextHop, headers: {} },
    { url: appHop, headers: {} },
  ];
  for (let round = 0; round < (ONLY_CONCURRENT ? 0 : ROUNDS); round++) {
    const roundOver: number[] = [];
    const roundBare: number[] = [];
    for (let i = 0; i < PAIRS; i++) {
      const got: Sample[] = new Array(targets.length);
      for (let k = 0; k < targets.length; k++) {
        const j = (round + i + k) % targets.length;
        got[j] = await stream(targets[j]!.url, targets[j]!.headers);
      }
      const [d, b, g, n, a] = got as [Sample, Sample, Sample, Sample, Sample];
      if (!g.ok || !d.ok || !b.ok || !n.ok || !a.ok) {
        seqErrors++;
        continue;
      }
      roundOver.push(g.ttft - d.ttft);
      roundBare.push(b.ttft - d.ttft);
      nextOver.push(n.ttft - d.ttft);
      appOver.push(a.ttft - d.ttft);
      gapsNext.push(...n.gaps);
      if (g.selfMs !== undefined) selfReported.push(g.selfMs);
      for (const [k, v] of Object.entries(g.phases ?? {})) (phaseSamples[k] ??= []).push(v);
      gapsDirect.push(...d.gaps);
      gapsGateway.push(...g.gaps);
      gapsBare.push(...b.gaps);
    }
    ttftOver.push(...roundOver);
    bareOver.push(...roundBare);
    const s = sort(roundOver);
    const sb = sort(roundBare);
    log(
      `round ${round + 1}/${ROUNDS}: ttft overhead p50 ${r2(pct(s, 50))} ms, p99 ${r2(pct(s, 99))} ms; bare hop p50 ${r2(pct(sb, 50))} ms, p99 ${r2(pct(sb, 99))} ms`,
    );
  }

  // ---- concurrency -------------------------------------------------------------------------
  // 200 customers' keys, each over its own wallet; each key is used once (20 at a time) right
  // before every gateway burst, as keys in steady use are, so the burst measures serving, not
  // first sight of a key: the app remembers a key and its paying wallet for 5 s (a revoked key
  // stops on every instance within that), and the bursts of the other targets in between take
  // longer than that.
  const slow = { "x-demo-tps": "50" };
  const warmKeys = async () => {
    for (let i = 0; i < walletKeys.length; i += 20)
      await Promise.all(walletKeys.slice(i, i + 20).map((k) => stream(gateway, { authorization: `Bearer ${k}` })));
    await new Promise((r) => setTimeout(r, 500));
  };
  /**
   * The bursts, cold then measured; `pinned`: the load generator (this process) and the demo
   * upstream on the first core, the system under test (the app, PostgreSQL, its WebSocket proxy,
   * and the bare hop) on the others, as they would be separate machines; else all on every core.
   */
  const concurrentPhase = async (pinned: boolean, firstPhase: boolean) => {
    const cores = Math.max(2, availableParallelism());
    if (pinned) {
      unpin = () => pinCores(`0-${cores - 1}`, `0-${cores - 1}`);
      pinCores(`0`, `1-${cores - 1}`);
    }
    try {
      // Direct, the bare hop and the gateway take turns, CONC_ROUNDS bursts each, the order rotating:
      // the bare hop under the same burst is what any extra hop costs at that concurrency here.
      const dConc: Sample[] = [];
      const bConc: Sample[] = [];
      const gConc: Sample[] = [];
      // Each burst's CPU, per process, from its start until 1.5 s after its last stream ended (the
      // gateway's settles included): what a stream costs each process, whatever the machine's speed.
      const roots = { upstream: up.pid, hop: bare.pid, app: app.pid, ws_proxy: proxy.pid };
      const cpu: Record<"direct" | "bare_hop" | "gateway", Record<string, number>> = { direct: {}, bare_hop: {}, gateway: {} };
      // Each measured burst's own TTFT p50, in the order run.
      const burstP50: Record<keyof typeof cpu, number[]> = { direct: [], bare_hop: [], gateway: [] };
      const samplesOf = { direct: dConc, bare_hop: bConc, gateway: gConc };
      const measured = async (kind: keyof typeof cpu, burst: () => Promise<void>) => {
        const before = cpuNow(roots);
        const from = samplesOf[kind].length;
        await burst();
        const mine = sort(
          samplesOf[kind]
            .slice(from)
            .filter((s) => s.ok)
            .map((s) => s.ttft),
        );
        burstP50[kind].push(r2(pct(mine, 50)));
        log(`burst: ${kind} ttft p50 ${r2(pct(mine, 50))} ms`);
        // Let the burst's settles finish before the next one starts.
        await new Promise((r) => setTimeout(r, 1_500));
        for (const [k, v] of Object.entries(cpuSince(before, cpuNow(roots)))) cpu[kind][k] = (cpu[kind][k] ?? 0) + v;
      };
      const bursts = [
        () => measured("direct", () => Promise.all(Array.from({ length: CONCURRENT }, () => stream(direct, slow))).then((r) => void dConc.push(...r))),
        () => measured("bare_hop", () => Promise.all(Array.from({ length: CONCURRENT }, () => stream(bareHop, slow))).then((r) => void bConc.push(...r))),
        () =>
          warmKeys().then(() =>
            measured("gateway", () =>
              Promise.all(walletKeys.map((k) => stream(gateway, { authorization: `Bearer ${k}`, ...slow }))).then((r) => void gConc.push(...r)),
            ),
          ),
      ];
      // One burst of each target first, not measured: a burst's first run opens its connections (the
      // client's to the target, the hops' to the upstream, the app's database pool up to its size) and
      // a server under steady load keeps them open. The warm-up above runs one stream at a time, so
      // it cannot; in the first phase its p50s are reported as cold_burst_ttft_p50_ms (and any
      // failed stream in cold_errors).
      const coldP50: Record<keyof typeof cpu, number> = { direct: 0, bare_hop: 0, gateway: 0 };
      const coldErrors: Record<keyof typeof cpu, number> = { direct: 0, bare_hop: 0, gateway: 0 };
      const cold = async (kind: keyof typeof cpu, url: string, headersOf: (i: number) => Record<string, string>) => {
        const got = await Promise.all(Array.from({ length: CONCURRENT }, (_, i) => stream(url, { ...headersOf(i), ...slow })));
        const t = sort(got.filter((s) => s.ok).map((s) => s.ttft));
        coldErrors[kind] = got.length - t.length;
        coldP50[kind] = r2(pct(t, 50));
        log(`cold burst: ${kind} ttft p50 ${coldP50[kind]} ms, ${coldErrors[kind]} failed`);
        await new Promise((r) => setTimeout(r, 1_500));
      };
      await cold("direct", direct, () => ({}));
      await cold("bare_hop", bareHop, () => ({}));
      await warmKeys();
      await cold("gateway", gateway, (i) => ({ authorization: `Bearer ${walletKeys[i % walletKeys.length]}` }));
      for (let round = 0; round < CONC_ROUNDS; round++) for (let k = 0; k < 3; k++) await bursts[(round + k) % 3]!();
      const perStream = (c: Record<string, number>) => Object.fromEntries(Object.entries(c).map(([k, v]) => [k, r2(v / (CONC_ROUNDS * CONCURRENT))]));
      const concErrors = gConc.filter((s) => !s.ok).length;
      if (concErrors) log("concurrent failures by status:", JSON.stringify(gConc.filter((s) => !s.ok).map((s) => s.status)));
      // The gateway's own phases under load: where a stream's time before its first token went.
      const concPhases: Record<string, number[]> = {};
      for (const s of gConc) for (const [k, v] of Object.entries(s.phases ?? {})) (concPhases[k] ??= []).push(v);
      const dT = sort(dConc.filter((s) => s.ok).map((s) => s.ttft));
      const bT = sort(bConc.filter((s) => s.ok).map((s) => s.ttft));
      const gT = sort(gConc.filter((s) => s.ok).map((s) => s.ttft));
      log(
        `concurrent ttft (${CONC_ROUNDS} bursts each): direct p50 ${r2(pct(dT, 50))} p99 ${r2(pct(dT, 99))}; bare hop p50 ${r2(pct(bT, 50))} p99 ${r2(pct(bT, 99))}; gateway p50 ${r2(pct(gT, 50))} p99 ${r2(pct(gT, 99))}`,
      );
      return {
        pinned,
        streams: CONCURRENT,
        wallets: walletKeys.length,
        pool_max: POOL_MAX,
        rounds: CONC_ROUNDS,
        ttft_ms: {
          direct_p50: r2(pct(dT, 50)),
          bare_p50: r2(pct(bT, 50)),
          gateway_p50: r2(pct(gT, 50)),
          direct_p99: r2(pct(dT, 99)),
          bare_p99: r2(pct(bT, 99)),
          gateway_p99: r2(pct(gT, 99)),
        },
        errors: concErrors,
        bare_errors: bConc.filter((s) => !s.ok).length,
        overhead_p99_ms: r2(pct(gT, 99) - pct(dT, 99)),
        ttft_p50_ratio: r2(pct(gT, 50) / pct(dT, 50)),
        burst_ttft_p50_ms: burstP50,
        // Each target's first burst, before the measured ones: connections opened in it.
        // (Only the first phase's are cold: a later phase finds the connections open.)
        ...(firstPhase ? { cold_burst_ttft_p50_ms: coldP50, cold_ttft_p50_ratio: r2(coldP50.gateway / coldP50.direct), cold_errors: coldErrors } : {}),
        // The same burst through the bare hop: what one extra hop costs at this concurrency, and the gateway over it.
        bare_ttft_p50_ratio: r2(pct(bT, 50) / pct(dT, 50)),
        ttft_p50_vs_bare: r2(pct(gT, 50) / pct(bT, 50)),
        // Response headers, and from them to the first token, per target: the gateway answers once
        // the hold stands, the others once the provider answered.
        headers_ms_p50: {
          direct: r2(pct(sort(dConc.flatMap((x) => (x.ok ? [x.headersMs!] : []))), 50)),
          bare_hop: r2(pct(sort(bConc.flatMap((x) => (x.ok ? [x.headersMs!] : []))), 50)),
          gateway: r2(pct(sort(gConc.flatMap((x) => (x.ok ? [x.headersMs!] : []))), 50)),
        },
        first_token_after_headers_ms_p50: {
          direct: r2(pct(sort(dConc.flatMap((x) => (x.ok ? [x.ttft - x.headersMs!] : []))), 50)),
          bare_hop: r2(pct(sort(bConc.flatMap((x) => (x.ok ? [x.ttft - x.headersMs!] : []))), 50)),
          gateway: r2(pct(sort(gConc.flatMap((x) => (x.ok ? [x.ttft - x.headersMs!] : []))), 50)),
        },
        phases_ms_p50: Object.fromEntries(Object.entries(concPhases).map(([k, v]) => [k, r2(pct(sort(v), 50))])),
        phases_ms_p99: Object.fromEntries(Object.entries(concPhases).map(([k, v]) => [k, r2(pct(sort(v), 99))])),
        // CPU ms per stream of each process in the bursts (client = this process; postgres = every
        // postgres process here; ws_proxy = the WebSocket proxy a Neon deployment runs on Neon's side).
        cpu_ms_per_stream: { direct: perStream(cpu.direct), bare_hop: perStream(cpu.bare_hop), gateway: perStream(cpu.gateway) },
        // The gateway's process against the bare hop's, per stream: its work beyond piping bytes.
        app_cpu_vs_bare_hop: r2(cpu.gateway.app! / cpu.bare_hop.hop!),
      };
    } finally {
      if (pinned) {
        unpin?.();
        unpin = undefined;
      }
    }
  };
  const pinCores = (world: string, system: string) => {
    const table = procTable();
    const under = (root: number, pid: number): boolean => {
      for (let q = pid, hops = 0; q > 1 && hops < 64; q = table.get(q)?.ppid ?? 0, hops++) if (q === root) return true;
      return false;
    };
    const tree = (root: number | undefined) => (root === undefined ? [] : [...table.keys()].filter((pid) => under(root, pid)));
    const set = (pids: number[], cpus: string) => {
      for (const pid of pids) spawnSync("taskset", ["-a", "-p", "-c", cpus, String(pid)], { stdio: "ignore" });
    };
    set([process.pid, ...tree(up.pid)], world);
    // Every postgres process: the postmaster's mask passes to the backends it starts later.
    set([...tree(app.pid), ...tree(bare.pid), ...tree(proxy.pid), ...[...table].filter(([, q]) => q.comm === "postgres").map(([pid]) => pid)], system);
  };
  const concurrent = ONLY_SEQUENTIAL ? undefined : await concurrentPhase(PIN, true);
  const concurrentShared = PIN && SHARED && !ONLY_SEQUENTIAL ? await concurrentPhase(false, false) : undefined;

  // ---- failover: the first route is dead ------------------------------------------------------
  const foBody = (provider?: Record<string, unknown>) =>
    JSON.stringify({
      model: FAILOVER_MODEL,
      messages: [{ role: "user", content: "Benchmark: say something short." }],
      stream: true,
      max_tokens: 30,
      ...(provider ? { provider } : {}),
    });
  const foAdded: number[] = [];
  let foErrors = 0;
  for (let i = 0; i < (ONLY_CONCURRENT || ONLY_SEQUENTIAL ? 0 : FAILOVER_PAIRS); i++) {
    const pair = i % 2 === 0 ? [foBody({ only: ["moonshotai"] }), foBody()] : [foBody(), foBody({ only: ["moonshotai"] })];
    const a = await stream(gateway, auth, pair[0]);
    const b = await stream(gateway, auth, pair[1]);
    const [live, fo] = i % 2 === 0 ? [a, b] : [b, a];
    if (live.ok && fo.ok) foAdded.push(fo.ttft - live.ttft);
    else foErrors++;
  }
  const fa = sort(foAdded);
  if (fa.length > 0) log(`failover (dead first route): added ttft p50 ${r2(pct(fa, 50))} p99 ${r2(pct(fa, 99))}; errors ${foErrors}`);

  const over = sort(ttftOver);
  const bo = sort(bareOver);
  const gd = sort(gapsDirect);
  const gg = sort(gapsGateway);
  const gb = sort(gapsBare);
  const no = sort(nextOver);
  const ao = sort(appOver);
  const gn = sort(gapsNext);
  log(
    `chunk gaps: direct p50 ${r2(pct(gd, 50))} p99 ${r2(pct(gd, 99))}; bare hop p50 ${r2(pct(gb, 50))} p99 ${r2(pct(gb, 99))}; gateway p50 ${r2(pct(gg, 50))} p99 ${r2(pct(gg, 99))}; sequential errors ${seqErrors}`,
  );
  const sr = sort(selfReported);
  log(
    `x-unitoken-overhead-ms (the gateway's own time, in-process): p50 ${r2(pct(sr, 50))} p99 ${r2(pct(sr, 99))}; load average ${(await import("node:os")).loadavg().map(r2).join(" ")}`,
  );
  const result = {
    ttft_overhead_ms: { p50: r2(pct(over, 50)), p99: r2(pct(over, 99)) },
    chunk_gap_overhead_ms: { p99: r2(pct(gg, 99) - pct(gd, 99)) },
    bare_hop: {
      ttft_overhead_ms: { p50: r2(pct(bo, 50)), p99: r2(pct(bo, 99)) },
      chunk_gap_ms: { p99: r2(pct(gb, 99)) },
    },
    // The bare hop as a route of this app under `next start`: Next's own share of the added TTFT.
    next_hop: {
      ttft_overhead_ms: { p50: r2(pct(no, 50)), p99: r2(pct(no, 99)) },
      chunk_gap_ms: { p99: r2(pct(gn, 99)) },
      added_ttft_p50_vs_bare: r2(pct(no, 50) / pct(bo, 50)),
      gateway_added_ttft_p50_vs_next_hop: r2(pct(over, 50) / pct(no, 50)),
      gateway_added_ttft_p99_vs_next_hop: r2(pct(over, 99) / pct(no, 99)),
    },
    // The same route's handler called directly in the app's process (server.mjs), as /api/v1's are.
    app_hop: {
      ttft_overhead_ms: { p50: r2(pct(ao, 50)), p99: r2(pct(ao, 99)) },
      added_ttft_p50_vs_bare: r2(pct(ao, 50) / pct(bo, 50)),
      gateway_added_ttft_p50_vs_app_hop: r2(pct(over, 50) / pct(ao, 50)),
      gateway_added_ttft_p99_vs_app_hop: r2(pct(over, 99) / pct(ao, 99)),
    },
    ratios: {
      added_ttft_p50_vs_bare: r2(pct(over, 50) / pct(bo, 50)),
      added_ttft_p99_vs_bare: r2(pct(over, 99) / pct(bo, 99)),
      chunk_gap_p99_vs_bare: r2(pct(gg, 99) / pct(gb, 99)),
    },
    gateway_phases_ms_p50: Object.fromEntries(Object.entries(phaseSamples).map(([k, v]) => [k, r2(pct(sort(v), 50))])),
    gateway_phases_ms_p99: Object.fromEntries(Object.entries(phaseSamples).map(([k, v]) => [k, r2(pct(sort(v), 99))])),
    // 200 streams at once (see concurrentPhase): the target's figures, measured pinned unless BENCH_PIN=0.
    concurrent,
    // The same with every process on every core, as the machine runs them unpinned.
    ...(concurrentShared ? { concurrent_shared_cores: concurrentShared } : {}),
    failover: {
      pairs: FAILOVER_PAIRS,
      errors: foErrors,
      first_route: "connection refused (connect timeout not reached: the figure is all beyond it)",
      added_ttft_ms: { p50: r2(pct(fa, 50)), p99: r2(pct(fa, 99)) },
      target_ms: 50,
    },
    tools_in_request: TOOLS.length,
    sequential_errors: seqErrors,
  };
  console.log(JSON.stringify(result));
  // Let the last replies settle, then stop the app before the proxy and PostgreSQL go away.
  await new Promise((r) => setTimeout(r, 1_000));
  const appExited = new Promise((r) => app.once("exit", r));
  cleanup();
  await Promise.race([appExited, new Promise((r) => setTimeout(r, 5_000))]);
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  cleanup();
  process.exit(1);
});
