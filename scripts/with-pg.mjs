#!/usr/bin/env node
// Runs a command with a real PostgreSQL and the Neon WebSocket proxy available:
//   node scripts/with-pg.mjs [--keep] -- <command...>
// Sets PG_TEST_URL (admin URL), NEON_WS_PROXY, and DATABASE_URL (a fresh database when --db).
// The cluster is stopped afterwards unless it was already running or --keep is given.
import { spawn } from "node:child_process";
import { startPostgres, startWsProxy, portOpen } from "./pg-env.mjs";

const argv = process.argv.slice(2);
const sep = argv.indexOf("--");
const flags = sep >= 0 ? argv.slice(0, sep) : [];
const cmd = sep >= 0 ? argv.slice(sep + 1) : argv;
const keep = flags.includes("--keep");
const pgPort = Number(process.env.PG_TEST_PORT || 54329);
const wsPort = Number(process.env.PG_TEST_WS_PORT || 54330);

const pg = await startPostgres({ port: pgPort });
let proxy;
if (!(await portOpen(wsPort))) proxy = await startWsProxy({ port: wsPort });

const child = spawn(cmd[0], cmd.slice(1), {
  stdio: "inherit",
  shell: false,
  env: { ...process.env, PG_TEST_URL: pg.url, NEON_WS_PROXY: `127.0.0.1:${wsPort}` },
});
const code = await new Promise((resolve) => child.on("exit", (c, sig) => resolve(c ?? (sig ? 1 : 0))));
await proxy?.close();
if (!keep) await pg.stop();
process.exit(code);
