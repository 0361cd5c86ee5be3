// How `npm start` runs the production server, for the scripts that start it themselves.
import { readFileSync } from "node:fs";
import path from "node:path";

/**
 * Node's own flags of `npm start` in the tree at `dir` (package.json's start script: `node FLAGS
 * server.mjs`), so a benchmark or test serves the app as production does; none for a tree whose
 * start script is anything else.
 */
export function serverNodeArgs(dir = process.cwd()) {
  const start = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")).scripts?.start ?? "";
  const m = /^node\s+(.*?)\s*server\.mjs\b/.exec(start);
  return m ? m[1].split(/\s+/).filter(Boolean) : [];
}
