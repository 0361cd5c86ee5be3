import { afterEach, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { createTestDb } from "@/lib/testing/db";
import { user } from "@/lib/db/schema";
import { seedIfEmpty } from "./accounts";

// A fresh database gets demo data (accounts, the staff account among them) only in demo mode.

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

async function fresh() {
  const t = await createTestDb();
  close = t.close;
  return t.db;
}

const count = async (db: Awaited<ReturnType<typeof fresh>>, role?: "support") =>
  (
    await db
      .select({ n: sql<number>`count(*)::int` })
      .from(user)
      .where(role ? sql`${user.role} = ${role}` : sql`true`)
  )[0]!.n;

describe("first-start seeding", () => {
  it("leaves a fresh database empty outside demo mode: no demo subscribers, no staff", async () => {
    const db = await fresh();
    expect(await seedIfEmpty(db, { now: new Date(), demoMode: false })).toBe(false);
    expect(await count(db)).toBe(0);
    expect(await count(db, "support")).toBe(0);
  });

  it("seeds the demo accounts in demo mode, once", async () => {
    const db = await fresh();
    expect(await seedIfEmpty(db, { now: new Date(), demoMode: true })).toBe(true);
    expect(await count(db, "support")).toBeGreaterThan(0);
    expect(await seedIfEmpty(db, { now: new Date(), demoMode: true })).toBe(false);
  });
});
