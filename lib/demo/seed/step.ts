import { eq, sql } from "drizzle-orm";
import type { Database } from "@/lib/db/types";
import { usage, wallet } from "@/lib/db/schema";

/**
 * One step of the demo data (plans, families, usage) after the accounts exist. Its own module so
 * the steps and the runner (accounts.ts) do not import each other.
 */
export type SeedStep = (db: Database, ctx: { now: Date; users: Record<string, string> }) => Promise<void>;

/**
 * Puts a seeded request at its past instant. The ledger stamps rows with the database clock, and
 * the wallet was made at seed time: it is moved back too, so the wallet is at least as old as its
 * history (the run-out forecast reads the pace over the wallet's age when that is under 7 days).
 */
export async function stampPast(db: Database, { requestId, walletId, at }: { requestId: string; walletId: string; at: Date }): Promise<void> {
  await db.update(usage).set({ createdAt: at }).where(eq(usage.requestId, requestId));
  await db
    .update(wallet)
    .set({ createdAt: sql`least(${wallet.createdAt}, ${at.toISOString()}::timestamptz)` })
    .where(eq(wallet.id, walletId));
}
