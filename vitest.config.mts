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

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        resolve: { alias },
        plugins: [actionStubs],
        test: {
          name: "unit",
          environment: "node",
          // Demo mode is opt-in (lib/server/env-schema.ts); tests that read the app's env run in it.
          env: { DEMO_MODE: "true" },
          // components/**: render tests; each such file picks its DOM with a `@vitest-environment` comment.
          include: ["lib/**/*.test.ts", "scripts/**/*.test.ts", "app/**/*.test.ts", "components/**/*.test.{ts,tsx}"],
          exclude: ["**/*.integration.test.ts", "node_modules/**"],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          pool: "forks",
          // Both cores: vitest's default (cores − 1) runs the unit files one at a time on 2 cores.
          maxWorkers: 2,
        },
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
