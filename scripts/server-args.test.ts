import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { serverNodeArgs } from "./server-args.mjs";

const dirs: string[] = [];
function tree(start: string | undefined): string {
  const dir = mkdtempSync(path.join(tmpdir(), "server-args-"));
  dirs.push(dir);
  writeFileSync(path.join(dir, "package.json"), JSON.stringify({ scripts: start === undefined ? {} : { start } }));
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("serverNodeArgs", () => {
  it("reads node's flags from the start script", () => {
    expect(serverNodeArgs(tree("node --max-semi-space-size=64  --enable-source-maps server.mjs"))).toEqual([
      "--max-semi-space-size=64",
      "--enable-source-maps",
    ]);
    expect(serverNodeArgs(tree("node server.mjs"))).toEqual([]);
  });

  it("finds none in a start script that is not node running server.mjs", () => {
    expect(serverNodeArgs(tree("next start"))).toEqual([]);
    expect(serverNodeArgs(tree(undefined))).toEqual([]);
  });

  it("this tree's npm start is what the benchmarks and the end-to-end tests run", () => {
    expect(serverNodeArgs()).toContain("--max-semi-space-size=64");
  });
});
