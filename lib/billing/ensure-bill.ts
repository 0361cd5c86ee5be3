import { and, eq, sql } from "drizzle-orm";
import type { Database } from "@/lib/db/types";
import { bill, type Bill } from "@/lib/db/schema";

/** The payer's bill for a cycle, created on first need; one per (user, cycle). */
export async function ensureBill(db: Database, { userId, cycle }: { userId: string; cycle: string }): Promise<Bill> {
  const inserted = await db
    .insert(bill)
    .values({ userId, cycle })
    .onConflictDoNothing({ target: [bill.userId, bill.cycle] })
    .returning();
  if (inserted[0]) return inserted[0];
  const [row] = await db
    .select()
    .from(bill)
    .where(and(eq(bill.userId, userId), eq(bill.cycle, cycle)));
  if (!row) throw new Error("bill vanished");
  return row;
}

export const billTotalSql = sql`coalesce(sum(amount_fen), 0)`;
