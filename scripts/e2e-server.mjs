#!/usr/bin/env node
// Builds and starts the app for the end-to-end tests on a fresh embedded database.
import { spawn } from "node:child_process";
import { ensureBuild } from "./build-fresh.mjs";
import { rmSync } from "node:fs";

const port = process.env.E2E_PORT || "3100";
// Own build and database folders (E2E_DIST_DIR, E2E_PGLITE_DIR) let two runs share a checkout.
const distDir = process.env.E2E_DIST_DIR || ".next-e2e";
const pgliteDir = process.env.E2E_PGLITE_DIR || ".data/pglite-e2e";
const env = {
  ...process.env,
  NEXT_DIST_DIR: distDir,
  PGLITE_DIR: pgliteDir,
  DEMO_MODE: "true",
  // next start is NODE_ENV=production, where demo mode must be declared public.
  DEMO_PUBLIC: "true",
  AUTH_SECRET: process.env.AUTH_SECRET || "e2e-secret-not-for-production-0123456789",
  AUTH_TRUST_HOST: "true",
  CRON_SECRET: "e2e-cron-secret-0123456789",
  SMS_IP_HOURLY_LIMIT: "1000",
  NEXT_TELEMETRY_DISABLED: "1",
  // Inside `npm test` the static layer has type-checked the tree already.
  ...(process.env.UNITOKEN_TYPECHECKED === "1" ? { NEXT_SKIP_TYPECHECK: "1" } : {}),
};
delete env.DATABASE_URL;
rmSync(pgliteDir, { recursive: true, force: true });
// Built once per change of the tree: the multi-instance integration test shares this build.
if (!process.env.E2E_SKIP_BUILD) ensureBuild(distDir, env);
// The production server: Next, with the developer API's handlers called directly (server.mjs).
const child = spawn(process.execPath, ["server.mjs", "-p", port, "-H", "127.0.0.1"], { stdio: "inherit", env });
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => child.kill(sig));
child.on("exit", (code) => process.exit(code ?? 0));
