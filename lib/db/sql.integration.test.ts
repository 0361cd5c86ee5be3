import { describe, expect, it } from "vitest";
import { createPgTestDb } from "@/lib/testing/pg-db";
import { queryNamed, queryRows, sql } from "./sql";

describe("queryNamed on real PostgreSQL", () => {
  for (const driver of ["neon", "node"] as const) {
    it(`${driver}: runs as a named prepared statement on the pool; inside a transaction it stays in the transaction`, async () => {
      const h = await createPgTestDb({ driver, max: 1 });
      try {
        const text = "select $1::int + $2::int as sum, $3::text as label";
        expect(await queryNamed(h.db, "t_sum", text, [40, 2, "a"])).toEqual([{ sum: 42, label: "a" }]);
        expect(await queryNamed(h.db, "t_sum", text, [1, 2, null])).toEqual([{ sum: 3, label: null }]);
        // One pooled connection: the statement was prepared on it once, by name.
        const prepared = await queryRows<{ name: string }>(h.db, sql`select name from pg_prepared_statements`);
        expect(prepared.map((p) => p.name)).toContain("t_sum");

        // A transaction has no pool: the same text runs through the transaction and rolls back with it.
        await h.db.execute(sql`create table t_named (n int)`);
        await expect(
          h.db.transaction(async (tx) => {
            await queryNamed(tx as never, "t_insert", "insert into t_named values ($1) returning n", [7]);
            expect(await queryRows(tx as never, sql`select n from t_named`)).toEqual([{ n: 7 }]);
            throw new Error("roll back");
          }),
        ).rejects.toThrow("roll back");
        expect(await queryRows(h.db, sql`select n from t_named`)).toEqual([]);
      } finally {
        await h.close();
      }
    });
  }
});
