import { describe, expect, it } from "vitest";
import { createPgTestDb } from "@/lib/testing/pg-db";
import { queryRows, sql } from "@/lib/db/sql";
import { ledgerFunctionSources, normalizeFunctionDef } from "./sources";

describe("the ledger's SQL on real PostgreSQL", () => {
  it("a migrated database's functions equal lib/ledger/sql", async () => {
    const h = await createPgTestDb({ max: 2 });
    try {
      const rows = await queryRows<{ name: string; def: string }>(
        h.db,
        sql`select p.proname as name, pg_get_functiondef(p.oid) as def from pg_proc p join pg_namespace n on n.oid = p.pronamespace
            where n.nspname = 'public' and p.proname like 'ledger\\_%' order by 1`,
      );
      const sources = ledgerFunctionSources();
      expect(rows.map((r) => r.name)).toEqual(sources.map((s) => s.name));
      for (const s of sources) expect(normalizeFunctionDef(rows.find((r) => r.name === s.name)!.def), s.name).toBe(normalizeFunctionDef(s.sql));
    } finally {
      await h.close();
    }
  });
});
