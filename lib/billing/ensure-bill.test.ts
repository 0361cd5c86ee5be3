import { describe, expect, it } from "vitest";
import { createTestDb } from "@/lib/testing/db";
import { user } from "@/lib/db/schema";
import { ensureBill } from "./ensure-bill";

describe("bills", () => {
  it("creates one bill per user and cycle", async () => {
    const { db, close } = await createTestDb();
    const [u] = await db.insert(user).values({ phone: "13800000001" }).returning();
    const a = await ensureBill(db, { userId: u.id, cycle: "2026-11" });
    const b = await ensureBill(db, { userId: u.id, cycle: "2026-11" });
    expect(b.id).toBe(a.id);
    await close();
  });
});
