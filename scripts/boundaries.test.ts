import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";

// The layering rules (.dependency-cruiser.cjs) fail on a wrong import: probes written for the
// test, cruised in one run (each start of dependency-cruiser costs seconds).
const probes = {
  "lib/ledger/zz-boundary-probe.ts": 'import { headers } from "next/headers";\nimport { env } from "@/lib/server/env";\nexport const probe = [headers, env];\n',
  "lib/core/zz-boundary-probe.ts": 'import { getBalance } from "@/lib/ledger";\nexport const probe = getBalance;\n',
  "components/zz-boundary-probe.tsx": 'import { wallet } from "@/lib/db/schema";\nexport const probe = wallet;\n',
  "lib/metering/zz-boundary-probe.ts": 'import { describeError } from "@/lib/core/errors";\nexport const probe = describeError;\n',
};

function cruiseProbes(): { status: number | null; lines: string[] } {
  for (const [file, source] of Object.entries(probes)) writeFileSync(file, source);
  try {
    const r = spawnSync("npx", ["depcruise", ...Object.keys(probes), "--config", ".dependency-cruiser.cjs", "--output-type", "err"], { encoding: "utf8" });
    return { status: r.status, lines: `${r.stdout}${r.stderr}`.split("\n") };
  } finally {
    for (const file of Object.keys(probes)) rmSync(file, { force: true });
  }
}

describe("boundary rules", () => {
  it("refuse wrong imports and let a file that keeps to its layer pass", () => {
    const { status, lines } = cruiseProbes();
    const errorsFrom = (file: string) => lines.filter((l) => l.includes(`: ${file} →`)).map((l) => l.trim().split(":")[0]);
    expect(status).not.toBe(0);
    // A domain folder importing next/* or lib/server.
    expect(errorsFrom("lib/ledger/zz-boundary-probe.ts")).toEqual(expect.arrayContaining(["error domain-not-next", "error domain-not-server"]));
    // lib/core importing a domain; a component importing lib/db.
    expect(errorsFrom("lib/core/zz-boundary-probe.ts")).toContain("error core-imports-no-domain");
    expect(errorsFrom("components/zz-boundary-probe.tsx")).toContain("error components-not-db");
    // A domain importing lib/core is fine.
    expect(errorsFrom("lib/metering/zz-boundary-probe.ts")).toEqual([]);
  });
});
