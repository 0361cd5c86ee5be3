// A `next build` into distDir only when the tree changed since the last one there: the newest
// source file (app, pages, components, lib, proxy/auth/instrumentation, configs, package files)
// against the build's BUILD_ID. Shared by the e2e server and the multi-instance integration test,
// so one CI run builds once.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

const ROOTS = ["app", "pages", "components", "lib", "public"];
const FILES = [
  "proxy.ts",
  "auth.ts",
  "instrumentation.ts",
  "next.config.ts",
  "next.config.mjs",
  "package.json",
  "package-lock.json",
  "tsconfig.json",
  "postcss.config.mjs",
];

function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) t = Math.max(t, newest(p));
    else if (!/\.(test|integration\.test)\.tsx?$/.test(e.name)) t = Math.max(t, statSync(p).mtimeMs);
  }
  return t;
}

/** The newest modification time of anything the build reads (tests excluded). */
export function sourceTime(cwd = process.cwd()) {
  let t = 0;
  for (const r of ROOTS) if (existsSync(path.join(cwd, r))) t = Math.max(t, newest(path.join(cwd, r)));
  for (const f of FILES) if (existsSync(path.join(cwd, f))) t = Math.max(t, statSync(path.join(cwd, f)).mtimeMs);
  return t;
}

/** Builds into distDir unless its build is newer than every source file; returns whether it built. */
export function ensureBuild(distDir, env = process.env) {
  const id = path.join(process.cwd(), distDir, "BUILD_ID");
  if (existsSync(id) && statSync(id).mtimeMs > sourceTime()) return false;
  execFileSync("npx", ["next", "build"], {
    stdio: "inherit",
    env: { ...env, NEXT_DIST_DIR: distDir, NEXT_TELEMETRY_DISABLED: "1" },
  });
  return true;
}
