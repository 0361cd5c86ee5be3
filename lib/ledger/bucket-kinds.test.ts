import { describe, expect, it } from "vitest";
import { createTestDb } from "@/lib/testing/db";
import { BUCKET_KINDS } from "@/lib/db/schema";

describe("bucket kinds are defined once", () => {
  it("the SQL consumption rank follows BUCKET_KINDS, and the database refuses a kind not in it", async () => {
    const { client, close } = await createTestDb();
    try {
      for (const [i, k] of BUCKET_KINDS.entries()) {
        const { rows } = await client.query<{ r: number | null }>(`select ledger_kind_rank($1) as r`, [k]);
        expect(rows[0]!.r, `ledger_kind_rank('${k}')`).toBe(i);
      }
      // An unknown kind has no rank (it would not silently rank as the last kind) and cannot be stored.
      expect((await client.query<{ r: number | null }>(`select ledger_kind_rank('voucher') as r`)).rows[0]!.r).toBeNull();
      const { rows: w } = await client.query<{ id: string }>(`insert into "user" (phone) values ('13900009999') returning id`);
      const { rows: wal } = await client.query<{ id: string }>(`insert into wallet (kind, owner_user_id) values ('personal', $1) returning id`, [w[0]!.id]);
      await expect(
        client.query(
          `insert into bucket (wallet_id, kind, available, granted, expires_at, source) values ($1, 'voucher', 1, 1, now() + interval '1 day', 'test')`,
          [wal[0]!.id],
        ),
      ).rejects.toThrow(/bucket_kind_known/);
    } finally {
      await close();
    }
  });
});
