// A throwaway PostgreSQL 15 cluster on loopback plus the WebSocket-to-TCP proxy the Neon
// driver needs to reach it. Used by integration tests and benchmarks.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync, chownSync, rmSync } from "node:fs";
import net from "node:net";
import { WebSocketServer } from "ws";

export const PG_BIN = "/usr/lib/postgresql/15/bin";

function sh(cmd, args, opts = {}) {
  return execFileSync(cmd, args, { stdio: ["ignore", "pipe", "pipe"], encoding: "utf8", ...opts });
}

export function ensureApt(packages) {
  const missing = packages.filter((p) => {
    const r = spawnSync("dpkg-query", ["-W", "-f=${Status}", p], { encoding: "utf8" });
    return !(r.stdout || "").includes("install ok installed");
  });
  if (missing.length === 0) return;
  console.log(`[env] installing ${missing.join(", ")} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  execFileSync("apt-get", ["update", "-qq"], { stdio: "inherit", env });
  execFileSync("apt-get", ["install", "-y", "-qq", ...missing], { stdio: "inherit", env });
}

function asPostgres(args) {
  return sh("runuser", ["-u", "postgres", "--", ...args]);
}

export function portOpen(port, host = "127.0.0.1") {
  return new Promise((resolve) => {
    const s = net.connect({ port, host });
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

async function waitPort(port, ms = 20000) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await portOpen(port)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`port ${port} did not open`);
}

/** Starts (or reuses) the cluster on `port`; returns a stop function that stops only what it started. */
export async function startPostgres({ port = 54329, maxConnections = 400 } = {}) {
  ensureApt(["postgresql"]);
  const dir = `/tmp/unitoken-pg/${port}`;
  if (await portOpen(port)) {
    return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, dir, stop: async () => {}, reused: true };
  }
  if (!existsSync(`${dir}/PG_VERSION`)) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    chownSync("/tmp/unitoken-pg", uidOf("postgres"), gidOf("postgres"));
    chownSync(dir, uidOf("postgres"), gidOf("postgres"));
    asPostgres([`${PG_BIN}/initdb`, "-D", dir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]);
    writeFileSync(
      `${dir}/postgresql.auto.conf`,
      [
        `port = ${port}`,
        `listen_addresses = '127.0.0.1'`,
        `max_connections = ${maxConnections}`,
        `unix_socket_directories = '${dir}'`,
        `shared_buffers = '256MB'`,
        `synchronous_commit = on`,
        "",
      ].join("\n"),
    );
    chownSync(`${dir}/postgresql.auto.conf`, uidOf("postgres"), gidOf("postgres"));
  }
  asPostgres([`${PG_BIN}/pg_ctl`, "-D", dir, "-l", `${dir}/server.log`, "-w", "start"]);
  await waitPort(port);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    dir,
    reused: false,
    stop: async () => {
      try {
        asPostgres([`${PG_BIN}/pg_ctl`, "-D", dir, "-m", "fast", "-w", "stop"]);
      } catch {
        /* already down */
      }
    },
  };
}

function uidOf(name) {
  return Number(sh("id", ["-u", name]).trim());
}
function gidOf(name) {
  return Number(sh("id", ["-g", name]).trim());
}

/** The WebSocket-to-TCP proxy: ws://host:port/v1?address=db:5432 -> a TCP socket to db:5432. */
export function startWsProxy({ port = 54330 } = {}) {
  return new Promise((resolve, reject) => {
    const wss = new WebSocketServer({ port, host: "127.0.0.1", perMessageDeflate: false });
    wss.on("connection", (ws, req) => {
      const url = new URL(req.url ?? "/", "http://x");
      const address = url.searchParams.get("address") ?? "";
      const [host, p] = address.split(":");
      const socket = net.connect({ host, port: Number(p) });
      socket.setNoDelay(true);
      ws.binaryType = "nodebuffer";
      ws.on("message", (data) => socket.write(data));
      socket.on("data", (data) => {
        if (ws.readyState === ws.OPEN) ws.send(data);
      });
      const end = () => {
        socket.destroy();
        ws.close();
      };
      ws.on("close", end);
      ws.on("error", end);
      socket.on("close", end);
      socket.on("error", end);
    });
    wss.once("listening", () => resolve({ url: `127.0.0.1:${port}`, close: () => new Promise((r) => wss.close(() => r())) }));
    wss.once("error", reject);
  });
}
