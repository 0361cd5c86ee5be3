// npm run bench:ledger — the ledger's hot path on real PostgreSQL against pgbench on the same
// cluster. Prints one JSON line on stdout (progress on stderr) and leaves the database behind
// (unitoken_bench) so `DATABASE_URL=… npm run ledger:reconcile` can check it.
//
// The many-wallets load and pgbench's tpcb-like reference run interleaved, in 5 windows each,
// so that both are measured on the same machine state; the hot wallet's reference follows it.
//
// The load runs in BENCH_PROCS client processes (default 4), each with its own pool, as an app
// would run several server processes; one Node process alone is starved of CPU next to 200
// PostgreSQL backends on a 2-core machine.
//
// Knobs (env): BENCH_DRIVER=node|neon (default node), BENCH_POOL (connections per process,
// default 8), BENCH_PROCS (default 4), BENCH_SECONDS (many-wallets and pgbench duration,
// default 15), BENCH_HOT_PER_ROUND (default 600), BENCH_SKIP_HOT=1 (many wallets only, for tuning;
// the admitted/expected check then has nothing to count).
import { execFileSync, fork, spawnSync, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { migrateDatabase, openDatabase } from "../lib/db/connect";
import { queryRows, sql } from "../lib/db/sql";
import type { Database } from "../lib/db/types";
import { addMember, createFamilyWallet, grant, ledgerDrift, reconcileLedger, reserve, settle, type UsageInput } from "../lib/ledger";

const PG_BIN = "/usr/lib/postgresql/15/bin";
const admin = process.env.PG_TEST_URL;
if (!admin) throw new Error("PG_TEST_URL is not set: run through `npm run bench:ledger`");
const driver = (process.env.BENCH_DRIVER ?? "node") as "node" | "neon";
const poolSize = Number(process.env.BENCH_POOL ?? 8);
const procs = Number(process.env.BENCH_PROCS ?? 4);
const seconds = Number(process.env.BENCH_SECONDS ?? 15);
const perRound = Number(process.env.BENCH_HOT_PER_ROUND ?? 600);
const HOT_CLIENTS = 200;
const HOT_ROUNDS = 20;
const MANY_WALLETS = 10_000;
const MANY_CLIENTS = 64;
const MANY_ROUNDS = 5;
const HOLD = 100n;
const CYCLE = "2026-05";
const NOW = new Date("2026-05-10T04:00:00Z");

const log = (...a: unknown[]) => console.error("[bench]", ...a);
const adminUrl = new URL(admin);
const urlFor = (db: string) => admin.replace(/\/[^/]*$/, `/${db}`);

async function adminQuery(q: string, db = "postgres") {
  const c = new pg.Client({ connectionString: urlFor(db) });
  await c.connect();
  try {
    return await c.query(q);
  } finally {
    await c.end();
  }
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
const round2 = (n: number) => Math.round(n * 100) / 100;

function usage(userId: string, tokensOut: number): UsageInput {
  return {
    requestId: randomUUID(),
    userId,
    modelId: "demo/echo",
    providerRoute: "demo",
    tokensIn: 10,
    tokensOut,
    weightInMicro: 1_000_000n,
    weightOutMicro: 1_000_000n,
    usageSource: "provider",
    status: "ok",
  };
}

/** One pair: reserve, then settle for `charge` with its usage row. Returns false when refused. */
async function pair(db: Database, walletId: string, userId: string, charge: bigint, lat: number[]): Promise<boolean> {
  const t0 = performance.now();
  const r = await reserve(db, { walletId, userId, amount: HOLD, idempotencyKey: randomUUID(), cycle: CYCLE, now: NOW, ttlSeconds: 600 });
  if (!r.ok) return false;
  await settle(db, { holdId: r.holdId, amount: charge, usage: usage(userId, Number(charge) - 10) });
  lat.push(performance.now() - t0);
  return true;
}

function pgbench(db: string, args: string[]): number {
  const out = execFileSync(`${PG_BIN}/pgbench`, ["-h", adminUrl.hostname, "-p", adminUrl.port, "-U", adminUrl.username || "postgres", ...args, db], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  const m = /tps = ([\d.]+) \(without initial connection time\)/.exec(out) ?? /tps = ([\d.]+)/.exec(out);
  if (!m) throw new Error(`pgbench output not understood:\n${out}`);
  return Number(m[1]);
}

// --- client processes ---------------------------------------------------------------------------
type Job = { t: "hot"; walletId: string; members: string[] } | { t: "many"; ms: number; clients: number; rounds: number } | { t: "go" };
type JobResult = { pairs: number; refused: number; lat: number[] };

if (process.env.BENCH_WORKER === "1") {
  const h = await openDatabase({ url: process.env.BENCH_URL!, driver, wsProxy: process.env.NEON_WS_PROXY, max: poolSize });
  let wallets: { id: string; owner: string }[] | undefined;
  process.on("message", async (job: Job | { t: "exit" }) => {
    if (job.t === "go") return; // consumed by the many-wallets job below
    if (job.t === "exit") {
      await h.close();
      process.exit(0);
    }
    const res: JobResult = { pairs: 0, refused: 0, lat: [] };
    if (job.t === "hot") {
      await Promise.all(
        job.members.map(async (m) => {
          // Each settle charges the full hold, so exactly perRound reserves can ever be admitted.
          while (await pair(h.db, job.walletId, m, HOLD, res.lat)) res.pairs++;
        }),
      );
    } else {
      wallets ??= await queryRows<{ id: string; owner: string }>(h.db, sql`select id, owner_user_id as owner from wallet where kind = 'personal'`);
      // Warm every pooled session (plpgsql compiles and plans per session) before measuring.
      const warm: number[] = [];
      await Promise.all(
        Array.from({ length: job.clients }, async () => {
          for (let k = 0; k < 5; k++) {
            const w = wallets![Math.floor(Math.random() * wallets!.length)];
            await pair(h.db, w.id, w.owner, 50n, warm);
          }
        }),
      );
      process.send!({ warmed: true });
      // Measured windows, each started by a "go" (pgbench runs in between), each reported.
      for (let r = 0; r < job.rounds; r++) {
        await new Promise<void>((resolve) => process.once("message", () => resolve()));
        const round: JobResult = { pairs: 0, refused: 0, lat: [] };
        const deadline = performance.now() + job.ms;
        await Promise.all(
          Array.from({ length: job.clients }, async () => {
            while (performance.now() < deadline) {
              const w = wallets![Math.floor(Math.random() * wallets!.length)];
              const charge = BigInt(11 + Math.floor(Math.random() * 89));
              if (await pair(h.db, w.id, w.owner, charge, round.lat)) round.pairs++;
              else round.refused++;
            }
          }),
        );
        process.send!(round);
      }
      return;
    }
    process.send!(res);
  });
  await new Promise(() => {});
}

function startWorkers(url: string): ChildProcess[] {
  return Array.from({ length: procs }, () =>
    fork(new URL(import.meta.url).pathname, [], { execArgv: ["--import", "tsx"], env: { ...process.env, BENCH_WORKER: "1", BENCH_URL: url } }),
  );
}

async function runJobs(workers: ChildProcess[], jobs: Job[]): Promise<JobResult> {
  const results = await Promise.all(
    workers.map(
      (w, i) =>
        new Promise<JobResult>((resolve) => {
          w.once("message", (m) => resolve(m as JobResult));
          w.send(jobs[i]);
        }),
    ),
  );
  return { pairs: results.reduce((s, r) => s + r.pairs, 0), refused: results.reduce((s, r) => s + r.refused, 0), lat: results.flatMap((r) => r.lat) };
}

const split = <T>(xs: T[], n: number) => Array.from({ length: n }, (_, i) => xs.filter((_, j) => j % n === i));

// ---------------------------------------------------------------------------------------------
const BENCH_DB = "unitoken_bench";
log(`fresh database ${BENCH_DB}; driver ${driver}, pool ${poolSize}`);
await adminQuery(`DROP DATABASE IF EXISTS ${BENCH_DB} WITH (FORCE)`);
await adminQuery(`CREATE DATABASE ${BENCH_DB}`);
const handle = await openDatabase({ url: urlFor(BENCH_DB), driver, wsProxy: process.env.NEON_WS_PROXY, max: poolSize });
await migrateDatabase(handle);
const db = handle.db;

// --- hot wallet: one family wallet, 200 members hitting it at once ----------------------------
const [{ id: ownerId }] = await queryRows<{ id: string }>(db, sql`insert into "user" (phone) values ('13000000000') returning id`);
const members = await queryRows<{ id: string }>(
  db,
  sql`insert into "user" (phone) select '131' || lpad(g::text, 8, '0') from generate_series(1, ${HOT_CLIENTS}) g returning id`,
);
const fam = await createFamilyWallet(db, { ownerUserId: ownerId });
for (const m of members) await addMember(db, { walletId: fam.id, userId: m.id, capTokens: 1_000_000_000n });

const workers = startWorkers(urlFor(BENCH_DB));
let admittedTotal = 0;
let expectedTotal = 0;
let overdrafts = 0;
const hotLat: number[] = [];
let hotMs = 0;
const hotRounds = process.env.BENCH_SKIP_HOT ? 0 : HOT_ROUNDS;
for (let round = 0; round < hotRounds; round++) {
  await grant(db, {
    walletId: fam.id,
    kind: "allowance",
    amount: HOLD * BigInt(perRound),
    expiresAt: new Date(NOW.getTime() + 30 * 86_400_000),
    source: `bench:${round}`,
    idempotencyKey: `bench-hot:${round}`,
  });
  const t0 = performance.now();
  const memberSets = split(
    members.map((m) => m.id),
    procs,
  );
  const res = await runJobs(
    workers,
    memberSets.map((ms) => ({ t: "hot" as const, walletId: fam.id, members: ms })),
  );
  const admitted = res.pairs;
  hotLat.push(...res.lat);
  hotMs += performance.now() - t0;
  const [w] = await queryRows<{ available: string; held: string }>(db, sql`select available::text, held::text from wallet where id = ${fam.id}`);
  if (admitted > perRound || w.available !== "0" || w.held !== "0") overdrafts++;
  admittedTotal += admitted;
  expectedTotal += perRound;
  log(`hot round ${round + 1}/${HOT_ROUNDS}: admitted ${admitted}/${perRound}`);
}
const hotPairs = admittedTotal / (hotMs / 1000);
hotLat.sort((a, b) => a - b);

// --- many wallets: 10,000 personal wallets, 64 clients picking at random ----------------------
log(`seeding ${MANY_WALLETS} wallets`);
await db.execute(sql`
  with u as (insert into "user" (phone) select '132' || lpad(g::text, 8, '0') from generate_series(1, ${MANY_WALLETS}) g returning id),
  w as (insert into wallet (kind, owner_user_id, available) select 'personal', id, 100000000 from u returning id),
  b as (insert into bucket (wallet_id, kind, available, granted, expires_at, source)
        select id, 'allowance', 100000000, 100000000, ${new Date(NOW.getTime() + 30 * 86_400_000).toISOString()}::timestamptz, 'bench' from w returning id, wallet_id)
  insert into entry (wallet_id, bucket_id, kind, amount, idempotency_key, params_hash)
  select wallet_id, id, 'grant', 100000000, 'bench-seed:' || id, '' from b`);
// A settled database, as pgbench prepares its own before a run (it vacuums its tables): fresh
// statistics after the bulk load (this also makes every session re-plan its cached ledger
// statements for tables of this size), the load's dead rows and visibility map vacuumed now
// instead of by autovacuum in the middle of the measurement, and a checkpoint so the run does
// not start inside the one the load triggered.
await adminQuery("VACUUM ANALYZE", BENCH_DB);
await adminQuery("CHECKPOINT", BENCH_DB);
// Interleaved with pgbench's tpcb-like on the same cluster: MANY_ROUNDS windows of each,
// alternating, so both see the same machine (on a shared VM its speed drifts over a minute).
const TPCB_DB = "unitoken_pgbench";
const scale = MANY_CLIENTS;
const exists = spawnSync(
  `${PG_BIN}/psql`,
  ["-h", adminUrl.hostname, "-p", adminUrl.port, "-U", "postgres", "-tAc", "select count(*) from pgbench_branches", TPCB_DB],
  { encoding: "utf8" },
);
if (exists.status !== 0 || Number(exists.stdout.trim()) !== scale) {
  log(`pgbench -i -s ${scale} (once; reused by later runs)`);
  await adminQuery(`DROP DATABASE IF EXISTS ${TPCB_DB} WITH (FORCE)`);
  await adminQuery(`CREATE DATABASE ${TPCB_DB}`);
  execFileSync(`${PG_BIN}/pgbench`, ["-h", adminUrl.hostname, "-p", adminUrl.port, "-U", "postgres", "-i", "-q", "-s", String(scale), TPCB_DB], {
    stdio: ["ignore", "ignore", "inherit"],
  });
}
const roundS = Math.max(1, Math.round(seconds / MANY_ROUNDS));
const roundMs = roundS * 1000;
const manyJobs = Array.from({ length: procs }, (_, i) => ({
  t: "many" as const,
  ms: roundMs,
  rounds: MANY_ROUNDS,
  clients: Math.floor(MANY_CLIENTS / procs) + (i < MANY_CLIENTS % procs ? 1 : 0),
}));
await Promise.all(
  workers.map(
    (w, i) =>
      new Promise<void>((resolve) => {
        w.once("message", () => resolve());
        w.send(manyJobs[i]);
      }),
  ),
);
let manyPairs = 0;
let refused = 0;
let manyMs = 0;
const manyLat: number[] = [];
let tpcbTx = 0;
for (let round = 0; round < MANY_ROUNDS; round++) {
  await adminQuery("CHECKPOINT", BENCH_DB);
  const t0 = performance.now();
  const r = await runJobs(
    workers,
    workers.map(() => ({ t: "go" as const })),
  );
  manyMs += performance.now() - t0;
  manyPairs += r.pairs;
  refused += r.refused;
  manyLat.push(...r.lat);
  await adminQuery("CHECKPOINT", BENCH_DB);
  const tps = pgbench(TPCB_DB, ["-c", String(MANY_CLIENTS), "-j", "2", "-T", String(roundS)]);
  tpcbTx += tps * roundS;
  log(`many wallets round ${round + 1}/${MANY_ROUNDS}: ${round2(r.pairs / roundS)} pairs/s; pgbench tpcb-like ${round2(tps)} tps`);
}
for (const w of workers) w.send({ t: "exit" });
const manyRate = manyPairs / (manyMs / 1000);
const pgbenchTpcb = tpcbTx / (MANY_ROUNDS * roundS);
manyLat.sort((a, b) => a - b);

log("reconciling");
const drift = await ledgerDrift(db);
const report = await reconcileLedger(db);
if (!report.ok) for (const p of report.problems.slice(0, 20)) log(`reconcile: ${p.check}: ${p.detail}`);
const [neg] = await queryRows<{ n: string }>(
  db,
  sql`select ((select count(*) from wallet where available < 0 or held < 0) + (select count(*) from bucket where available < 0 or held < 0))::text as n`,
);
overdrafts += Number(neg.n);
await handle.close();

// --- physical references on the same cluster ---------------------------------------------------
await adminQuery("CHECKPOINT", BENCH_DB);
log(`pgbench: hot single-row conditional UPDATE, ${HOT_CLIENTS} clients, ${seconds}s`);
await adminQuery(`CREATE TABLE IF NOT EXISTS pgbench_hot (id int primary key, available bigint not null check (available >= 0))`, BENCH_DB);
await adminQuery(`INSERT INTO pgbench_hot VALUES (1, 9000000000000) ON CONFLICT (id) DO UPDATE SET available = 9000000000000`, BENCH_DB);
const scriptDir = mkdtempSync(path.join(tmpdir(), "bench-ledger-"));
const hotScript = path.join(scriptDir, "hot.sql");
writeFileSync(hotScript, "UPDATE pgbench_hot SET available = available - 1 WHERE id = 1 AND available >= 1;\n");
const pgbenchHot = pgbench(BENCH_DB, ["-n", "-c", String(HOT_CLIENTS), "-j", "2", "-T", String(seconds), "-f", hotScript]);

const result = {
  driver,
  hot_wallet: {
    clients: HOT_CLIENTS,
    pairs_per_s: round2(hotPairs),
    pgbench_hot_tps: round2(pgbenchHot),
    ratio: round2(hotPairs / pgbenchHot),
    p50_ms: round2(percentile(hotLat, 50)),
    p99_ms: round2(percentile(hotLat, 99)),
    admitted: admittedTotal,
    expected: expectedTotal,
    drift: Number(drift),
    overdrafts,
  },
  many_wallets: {
    wallets: MANY_WALLETS,
    clients: MANY_CLIENTS,
    pairs_per_s: round2(manyRate),
    pgbench_tpcb_tps: round2(pgbenchTpcb),
    ratio: round2(manyRate / pgbenchTpcb),
    p99_ms: round2(percentile(manyLat, 99)),
    drift: Number(drift),
  },
};
console.log(JSON.stringify(result));
log(`database left at ${urlFor(BENCH_DB)} — DATABASE_URL=${urlFor(BENCH_DB)} DATABASE_DRIVER=node npm run ledger:reconcile`);
if (refused > 0) log(`${refused} reserves refused on funded wallets`);
process.exit(refused === 0 && report.ok && drift === 0n && overdrafts === 0 && admittedTotal === expectedTotal ? 0 : 1);
