import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
// @ts-expect-error: a plain .mjs script without types
import { ensureBuild } from "../../scripts/build-fresh.mjs";

/**
 * Several `next start` processes of one production build for integration tests that need more
 * than one app instance. The build is shared with the e2e layer (.next-e2e, or
 * MULTI_INSTANCE_DIST_DIR) and made only when the tree changed since;
 * MULTI_INSTANCE_REUSE_BUILD=1 takes an existing build as it is (a shared checkout keeps changing).
 */
export const INSTANCE_DIST = process.env.MULTI_INSTANCE_DIST_DIR || ".next-e2e";

export type NextInstances = { bases: string[]; stop: () => Promise<void> };

/** A port nothing listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Builds the shared production build if the tree is newer than it. */
export function ensureInstanceBuild(): void {
  if (process.env.MULTI_INSTANCE_REUSE_BUILD === "1" && existsSync(`${INSTANCE_DIST}/BUILD_ID`)) return;
  ensureBuild(INSTANCE_DIST, { ...process.env, ...(process.env.UNITOKEN_TYPECHECKED === "1" ? { NEXT_SKIP_TYPECHECK: "1" } : {}) });
}

async function waitUp(base: string, proc: ChildProcess, up: (r: Response) => boolean, path: string, ms = 90_000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`next start exited with ${proc.exitCode}`);
    try {
      const r = await fetch(`${base}${path}`);
      await r.arrayBuffer();
      if (up(r)) return;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > end) throw new Error(`${base} did not come up`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

/**
 * Starts `count` instances (after ensureInstanceBuild), instance i with the env `env(i)` on top of
 * the test's own and a production NODE_ENV, and waits until each answers `path` the way `up` wants.
 * Each runs the next binary itself in its own process group, so stop() ends all of it.
 */
export async function startNextInstances(opts: {
  count: number;
  env: (i: number) => Record<string, string>;
  path?: string;
  up?: (r: Response) => boolean;
}): Promise<NextInstances> {
  ensureInstanceBuild();
  const procs: ChildProcess[] = [];
  const bases: string[] = [];
  for (let i = 0; i < opts.count; i++) {
    const port = await freePort();
    procs.push(
      // The production server (server.mjs: Next, with the developer API's handlers called directly).
      spawn(process.execPath, ["server.mjs", "-p", String(port), "-H", "127.0.0.1"], {
        detached: true,
        env: { ...process.env, NODE_ENV: "production", NEXT_DIST_DIR: INSTANCE_DIST, NEXT_TELEMETRY_DISABLED: "1", ...opts.env(i) },
        stdio: ["ignore", "ignore", "inherit"],
      }),
    );
    bases.push(`http://127.0.0.1:${port}`);
  }
  const stop = async () => {
    const exited = procs.map((p) => (p.exitCode === null ? new Promise((r) => p.once("exit", r)) : null));
    for (const p of procs) if (p.pid && p.exitCode === null) process.kill(-p.pid, "SIGTERM");
    await Promise.race([Promise.all(exited), new Promise((r) => setTimeout(r, 10_000))]);
  };
  try {
    await Promise.all(bases.map((b, i) => waitUp(b, procs[i]!, opts.up ?? ((r) => r.status < 500), opts.path ?? "/api/health")));
  } catch (e) {
    await stop();
    throw e;
  }
  return { bases, stop };
}
