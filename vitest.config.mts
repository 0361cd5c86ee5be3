import { defineConfig, type Plugin } from "vitest/config";
import { readFileSync } from "node:fs";
import path from "node:path";

const alias = {
  "@": path.resolve(import.meta.dirname),
  "server-only": path.resolve(import.meta.dirname, "lib/testing/empty.ts"),
};

/**
 * Component render tests (components/**) cannot run server actions: a component's import of
 * `@/app/actions/<name>` gets one stub per exported action (lib/testing/action-stubs.ts).
 */
const actionStubs: Plugin = {
  name: "action-stubs",
  enforce: "pre",
  resolveId(source, importer) {
    // The "@" alias has already made the path absolute by the time plugins see it.
    const actions = path.resolve(import.meta.dirname, "app/actions") + path.sep;
    const name = source.startsWith("@/app/actions/") ? source.slice(14) : source.startsWith(actions) ? source.slice(actions.length) : null;
    if (!name || !importer?.includes(`${path.sep}components${path.sep}`)) return null;
    return `\0action-stub:${name.replace(/\.ts$/, "")}`;
  },
  load(id) {
    if (!id.startsWith("\0action-stub:")) return null;
    const src = readFileSync(path.resolve(import.meta.dirname, "app/actions", `${id.slice("\0action-stub:".length)}.ts`), "utf8");
    const names = [...src.matchAll(/^export\s+(?:async\s+)?(?:function|const|let)\s+(\w+)/gm)].map((m) => m[1]);
    const stubs = path.resolve(import.meta.dirname, "lib/testing/action-stubs.ts");
    return [`import { actionStub } from ${JSON.stringify(stubs)};`, ...names.map((n) => `export const ${n} = actionStub(${JSON.stringify(n)});`)].join("\n");
  },
};

const UNIT = ["lib/**/*.test.ts", "scripts/**/*.test.ts", "app/**/*.test.ts", "components/**/*.test.{ts,tsx}"];
const UNIT_EXCLUDE = ["**/*.integration.test.ts", "node_modules/**"];
/** Unit files that mock modules, stub globals or the env, fake timers, or pick a DOM: each in its own module graph. */
const ISOLATED = [
  "components/**/*.test.{ts,tsx}",
  "lib/server/**/*.test.ts",
  "lib/core/errors-logging.test.ts",
  "lib/ledger/ledger.test.ts",
  "app/**/*.test.ts",
];
const unit = {
  environment: "node" as const,
  // Demo mode is opt-in (lib/server/env-schema.ts); tests that read the app's env run in it.
  env: { DEMO_MODE: "true" },
  testTimeout: 60_000,
  hookTimeout: 60_000,
  pool: "forks" as const,
  // Both cores: vitest's default (cores − 1) runs the unit files one at a time on 2 cores.
  maxWorkers: 2,
};

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        resolve: { alias },
        plugins: [actionStubs],
        test: {
          ...unit,
          name: "unit",
          include: UNIT,
          exclude: [...UNIT_EXCLUDE, ...ISOLATED],
          // One process runs many files: the PGlite engine starts and the migrated template is built
          // once per worker instead of once per file (seconds each). Files that replace modules,
          // globals, timers or the env run in the isolated project below.
          isolate: false,
          // ...so what a process keeps for itself (route health) is reset before each file.
          setupFiles: ["lib/testing/shared-process-setup.ts"],
        },
      },
      {
        resolve: { alias },
        plugins: [actionStubs],
        test: { ...unit, name: "unit-isolated", include: ISOLATED, exclude: UNIT_EXCLUDE },
      },
      {
        resolve: { alias },
        test: {
          name: "integration",
          environment: "node",
          env: { DEMO_MODE: "true" },
          include: ["lib/**/*.integration.test.ts", "scripts/**/*.integration.test.ts"],
          testTimeout: 180_000,
          hookTimeout: 120_000,
          pool: "forks",
          fileParallelism: false,
        },
      },
    ],
  },
});
