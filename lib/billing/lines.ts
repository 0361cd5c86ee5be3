import { eq, sql } from "drizzle-orm";
import type { Database } from "@/lib/db/types";
import { bill, billLine, type BillLine } from "@/lib/db/schema";
import { DomainError } from "@/lib/core/errors";
import { ensureBill } from "./ensure-bill";

export type LineKind = BillLine["kind"];

/**
 * Adds a line to the user's bill of `cycle` (idempotent by key) and brings the bill's total in
 * line with its lines. Keeps: bill.total_fen = sum(bill_line.amount_fen).
 */
export async function addBillLine(
  db: Database,
  opts: { userId: string; cycle: string; kind: LineKind; description: string; amountFen: bigint; idempotencyKey: string; chargeId?: string | null; now: Date },
): Promise<{ lineId: string; billId: string; replayed: boolean }> {
  const b = await ensureBill(db, { userId: opts.userId, cycle: opts.cycle });
  const inserted = await db
    .insert(billLine)
    .values({
      billId: b.id,
      kind: opts.kind,
      description: opts.description,
      amountFen: opts.amountFen,
      chargeId: opts.chargeId ?? null,
      idempotencyKey: opts.idempotencyKey,
      createdAt: opts.now,
    })
    .onConflictDoNothing({ target: billLine.idempotencyKey })
    .returning({ id: billLine.id });
  if (inserted[0]) {
    await refreshBillTotal(db, b.id);
    return { lineId: inserted[0].id, billId: b.id, replayed: false };
  }
  const [prev] = await db.select().from(billLine).where(eq(billLine.idempotencyKey, opts.idempotencyKey));
  if (!prev || prev.amountFen !== opts.amountFen || prev.billId !== b.id)
    throw new DomainError("idempotency_conflict", `bill line ${opts.idempotencyKey} reused`);
  return { lineId: prev.id, billId: b.id, replayed: true };
}

/** Recomputes a bill's total from its lines in one statement (safe under concurrency). */
export async function refreshBillTotal(db: Database, billId: string): Promise<void> {
  await db
    .update(bill)
    .set({ totalFen: sql`(select coalesce(sum(${billLine.amountFen}), 0) from ${billLine} where ${billLine.billId} = ${billId})` })
    .where(eq(bill.id, billId));
}
