import { describe, expect, it } from "vitest";
import { createTestDb } from "./db";
import { user } from "@/lib/db/schema";

describe("test databases", () => {
  it("a database given back is handed out again wiped to the migrated state", async () => {
    const a = await createTestDb();
    const seeded = await a.client.query<{ name: string; n: number }>(
      `select c.relname as name, 0 as n from pg_class c join pg_namespace s on s.oid = c.relnamespace where s.nspname = 'testing_seed' and c.relkind = 'r'`,
    );
    const before = new Map<string, number>();
    for (const { name } of seeded.rows) before.set(name, (await a.client.query<{ n: number }>(`select count(*)::int as n from public.${name}`)).rows[0]!.n);
    await a.db.insert(user).values({ phone: "13800000001" });
    await a.client.exec("set statement_timeout = 1234; begin; select 1");
    await a.close();

    const b = await createTestDb();
    expect(b.client).toBe(a.client);
    expect(await b.db.$count(user)).toBe(0);
    const shown = await b.client.query<{ statement_timeout: string }>("show statement_timeout");
    expect(shown.rows[0]?.statement_timeout).toBe("0");
    for (const [name, n] of before) expect((await b.client.query<{ n: number }>(`select count(*)::int as n from public.${name}`)).rows[0]!.n).toBe(n);
    // Two open at once are two databases.
    const c = await createTestDb();
    expect(c.client).not.toBe(b.client);
    await c.db.insert(user).values({ phone: "13800000002" });
    expect(await b.db.$count(user)).toBe(0);
    await b.close();
    await c.close();
  });
});
