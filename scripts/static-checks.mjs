#!/usr/bin/env node
// The static layer of `npm test`: each check runs even if an earlier one failed, so one run shows
// every problem. Prints "Tests  N passed | M failed" for the runner's summary.
import { spawnSync } from "node:child_process";

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
let passed = 0;
let failed = 0;
for (const [name, cmd] of checks) {
  const started = Date.now();
  const r = spawnSync(cmd[0], cmd.slice(1), { stdio: "inherit" });
  const ok = r.status === 0;
  console.log(`${ok ? "✓" : "✗"} ${name} (${Math.round((Date.now() - started) / 1000)}s)`);
  if (ok) passed++;
  else failed++;
}
console.log(`      Tests  ${failed ? `${failed} failed | ` : ""}${passed} passed (${checks.length})`);
process.exit(failed ? 1 : 0);
