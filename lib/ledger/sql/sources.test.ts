import { describe, expect, it } from "vitest";
import { createTestDb } from "@/lib/testing/db";
import { FUNCTION_DEFS_SQL, ledgerFunctionSources, normalizeFunctionDef } from "./sources";

describe("the ledger's SQL has one readable source", () => {
  it("every function of a migrated database equals its file in lib/ledger/sql, and every file is migrated", async () => {
    const { client, close } = await createTestDb();
    try {
      const { rows } = await client.query<{ name: string; def: string }>(FUNCTION_DEFS_SQL);
      const sources = ledgerFunctionSources();
      expect(rows.map((r) => r.name)).toEqual(sources.map((s) => s.name));
      for (const s of sources) {
        const db = rows.find((r) => r.name === s.name)!;
        expect(normalizeFunctionDef(db.def), `${s.name}: run npm run db:ledger-sql after editing ${s.file}`).toBe(normalizeFunctionDef(s.sql));
      }
    } finally {
      await close();
    }
  });
});
