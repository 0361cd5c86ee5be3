#!/usr/bin/env node
// The static layer of `npm test`: every check runs even if another one failed, so one run shows
// every problem. The checks run side by side (lint and the type check are each about half the layer
// and each mostly one core); each one's output is printed whole when it ends. Prints
// "Tests  N passed | M failed" for the runner's summary.
import { spawn } from "node:child_process";

const checks = [
  ["lint", ["npx", "eslint", "."]],
  ["format", ["npx", "biome", "format", "."]],
  [
    "boundaries",
    [
      "npx",
      "depcruise",
      "app",
      "pages",
      "lib",
      "components",
      "proxy.ts",
      "auth.ts",
      "instrumentation.ts",
      "--config",
      ".dependency-cruiser.cjs",
      "--output-type",
      "err",
    ],
  ],
  ["typecheck", ["npx", "tsc", "--noEmit", "-p", "."]],
];
function run([name, cmd]) {
  const started = Date.now();
  return new Promise((resolve) => {
    const chunks = [];
    const child = spawn(cmd[0], cmd.slice(1), { stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.on("data", (d) => chunks.push(d));
    child.stderr.on("data", (d) => chunks.push(d));
    child.on("close", (code) => {
      const ok = code === 0;
      process.stdout.write(Buffer.concat(chunks));
      console.log(`${ok ? "✓" : "✗"} ${name} (${Math.round((Date.now() - started) / 1000)}s)`);
      resolve(ok);
    });
  });
}

const results = await Promise.all(checks.map(run));
const passed = results.filter(Boolean).length;
const failed = results.length - passed;
console.log(`      Tests  ${failed ? `${failed} failed | ` : ""}${passed} passed (${checks.length})`);
process.exit(failed ? 1 : 0);
