import { describe, expect, it } from "vitest";
import { createPgTestDb } from "@/lib/testing/pg-db";
import { user } from "@/lib/db/schema";
import { ensureBill } from "./ensure-bill";

describe("bills on real PostgreSQL through the Neon driver", () => {
  it("creates one bill per user and cycle under concurrency", async () => {
    const h = await createPgTestDb();
    try {
      const [u] = await h.db.insert(user).values({ phone: "13800000002" }).returning();
      const bills = await Promise.all(Array.from({ length: 20 }, () => ensureBill(h.db, { userId: u.id, cycle: "2026-11" })));
      expect(new Set(bills.map((b) => b.id)).size).toBe(1);
    } finally {
      await h.close();
    }
  });
});
