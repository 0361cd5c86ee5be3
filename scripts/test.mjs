#!/usr/bin/env node
// `npm test`: installs what the tests need when missing (Debian chromium, postgresql, redis-server and a CJK
// font), then runs the layers — static checks (lint, format, boundaries, types), unit (PGlite),
// integration (real PostgreSQL through the Neon driver) and end-to-end (Playwright on Chromium
// against `next build && next start`) — and prints one closing line per layer. Exits non-zero if
// any layer fails.
import { spawn } from "node:child_process";
import { ensureApt } from "./pg-env.mjs";

const only = process.argv.slice(2);
const layers = [
  // Static checks first: lint, formatting, the layering rules (.dependency-cruiser.cjs) and types.
  { name: "static", cmd: ["node", "scripts/static-checks.mjs"] },
  { name: "unit", cmd: ["npx", "vitest", "run", "--project", "unit", "--project", "unit-isolated"] },
  { name: "integration", cmd: ["node", "scripts/with-pg.mjs", "--", "npx", "vitest", "run", "--project", "integration"] },
  { name: "e2e", cmd: ["npx", "playwright", "test"] },
].filter((l) => only.length === 0 || only.includes(l.name));

ensureApt(["chromium", "postgresql", "redis-server", "fonts-noto-cjk"]);

// Set once the static layer has type-checked this tree: the e2e build then skips its own check.
const layerEnv = {};

function run(cmd) {
  return new Promise((resolve) => {
    const chunks = [];
    const child = spawn(cmd[0], cmd.slice(1), { env: { ...process.env, ...layerEnv, FORCE_COLOR: "0" }, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.on("data", (d) => {
      process.stdout.write(d);
      chunks.push(d);
    });
    child.stderr.on("data", (d) => {
      process.stderr.write(d);
      chunks.push(d);
    });
    child.on("exit", (code) => resolve({ code: code ?? 1, out: Buffer.concat(chunks).toString("utf8") }));
  });
}

// Reads the runner's own summary: vitest "Tests  N passed (M)", playwright "N passed".
function counts(out) {
  const clean = out.replace(/\x1b\[[0-9;]*m/g, "");
  const grab = (re) => {
    const m = clean.match(re);
    return m ? Number(m[1]) : 0;
  };
  const vitest = clean.match(/Tests\s+([^\n]*)/);
  if (vitest) {
    const line = vitest[1];
    return {
      passed: grab.call(null, /Tests\s+[^\n]*?(\d+) passed/),
      failed: /(\d+) failed/.test(line) ? Number(line.match(/(\d+) failed/)[1]) : 0,
      skipped: /(\d+) skipped/.test(line) ? Number(line.match(/(\d+) skipped/)[1]) : 0,
    };
  }
  return { passed: grab(/^\s*(\d+) passed/m), failed: grab(/^\s*(\d+) failed/m), skipped: grab(/^\s*(\d+) skipped/m) + grab(/^\s*(\d+) did not run/m) };
}

/**
 * The names of what failed, read from the runner's output, so the closing lines say which test
 * broke even when only the tail of a long run is kept: vitest's "FAIL  <file> > <test>" and
 * "× <test>" lines, the static layer's "✗ <check>", playwright's "✘ … › <test>" lines, and any unhandled error.
 */
function failures(out) {
  const clean = out.replace(/\x1b\[[0-9;]*m/g, "");
  const names = new Set();
  for (const line of clean.split("\n")) {
    const t = line.trim();
    if (/^FAIL\s/.test(t) || /^(×|✘|✗)\s/.test(t) || /^\d+\)\s.*›/.test(t) || /^(Unhandled|Error: )/.test(t)) names.add(t.slice(0, 300));
  }
  return [...names].slice(0, 20);
}

const results = [];
for (const layer of layers) {
  const started = Date.now();
  console.log(`\n=== ${layer.name} ===`);
  const { code, out } = await run(layer.cmd);
  const c = counts(out);
  results.push({ ...layer, code, ...c, failures: failures(out), seconds: Math.round((Date.now() - started) / 1000) });
  if (layer.name === "static" && code === 0) layerEnv.UNITOKEN_TYPECHECKED = "1";
}

console.log("\n=== summary ===");
let total = { passed: 0, failed: 0, skipped: 0 };
for (const r of results) {
  const failed = r.code !== 0 && r.failed === 0 ? 1 : r.failed;
  console.log(`${r.name}: ${r.passed} passed, ${failed} failed${r.skipped ? `, ${r.skipped} skipped` : ""} (${r.seconds}s)${r.code !== 0 ? " — FAILED" : ""}`);
  for (const f of r.code !== 0 ? r.failures : []) console.log(`  ${f}`);
  total.passed += r.passed;
  total.failed += failed;
  total.skipped += r.skipped;
}
console.log(`${total.passed} passed, ${total.failed} failed${total.skipped ? `, ${total.skipped} skipped` : ""}`);
process.exit(results.every((r) => r.code === 0) ? 0 : 1);
