import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb } from "@/lib/testing/db";
import { queryRows, sql } from "@/lib/db/sql";
import type { Database } from "@/lib/db/types";

let db: Database;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ db, close } = await createTestDb());
});
afterAll(() => close());

describe("ledger functions", () => {
  // Cached plans made while a table was nearly empty must not stay sequential scans (migration
  // 0013); a migration that replaces one of these functions has to set this again.
  it("price sequential scans out of every hot ledger function", async () => {
    const rows = await queryRows<{ proname: string; config: string | null }>(
      db,
      sql`select proname, array_to_string(proconfig, ',') as config from pg_proc
          where proname in ('ledger_reserve', 'ledger_resolve', 'ledger_apply_many', 'ledger_reserve_many', 'ledger_resolve_many')
          order by proname`,
    );
    expect(rows.map((r) => r.proname)).toEqual(["ledger_apply_many", "ledger_reserve", "ledger_reserve_many", "ledger_resolve", "ledger_resolve_many"]);
    for (const r of rows) expect(r.config, r.proname).toContain("enable_seqscan=off");
  });
});
