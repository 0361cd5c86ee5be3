import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";

// The layering rules (.dependency-cruiser.cjs) fail on a wrong import: probes written for the test.
function cruise(file: string, source: string): { status: number | null; out: string } {
  writeFileSync(file, source);
  try {
    const r = spawnSync("npx", ["depcruise", file, "--config", ".dependency-cruiser.cjs", "--output-type", "err"], { encoding: "utf8" });
    return { status: r.status, out: `${r.stdout}${r.stderr}` };
  } finally {
    rmSync(file, { force: true });
  }
}

describe("boundary rules", () => {
  it("a domain folder importing next/* or lib/server is refused", () => {
    const r = cruise(
      "lib/ledger/zz-boundary-probe.ts",
      'import { headers } from "next/headers";\nimport { env } from "@/lib/server/env";\nexport const probe = [headers, env];\n',
    );
    expect(r.status).not.toBe(0);
    expect(r.out).toContain("domain-not-next");
    expect(r.out).toContain("domain-not-server");
  });

  it("lib/core importing a domain, and a component importing lib/db, are refused", () => {
    const core = cruise("lib/core/zz-boundary-probe.ts", 'import { getBalance } from "@/lib/ledger";\nexport const probe = getBalance;\n');
    expect(core.status).not.toBe(0);
    expect(core.out).toContain("core-imports-no-domain");
    const comp = cruise("components/zz-boundary-probe.tsx", 'import { wallet } from "@/lib/db/schema";\nexport const probe = wallet;\n');
    expect(comp.status).not.toBe(0);
    expect(comp.out).toContain("components-not-db");
  });

  it("a file that keeps to its layer passes", () => {
    const r = cruise("lib/ledger/zz-boundary-probe.ts", 'import { describeError } from "@/lib/core/errors";\nexport const probe = describeError;\n');
    expect(r.out).not.toContain("error ");
    expect(r.status).toBe(0);
  });
});
