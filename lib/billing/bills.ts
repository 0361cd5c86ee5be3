import { and, asc, count, desc, eq, gte, lt, sql, type SQL } from "drizzle-orm";
import type { Database } from "@/lib/db/types";
import { bill, billLine, bucket, carrierCharge, usage, wallet, type Bill, type BillLine } from "@/lib/db/schema";
import { cycleBounds } from "@/lib/core/cycle";

export type BillSummary = Pick<Bill, "id" | "cycle" | "status" | "totalFen" | "createdAt" | "closedAt"> & { requests: number; planTokens: bigint };

/** The user's own bills, newest cycle first. */
export async function listBills(db: Database, { userId }: { userId: string }): Promise<BillSummary[]> {
  const rows = await db
    .select({
      id: bill.id,
      cycle: bill.cycle,
      status: bill.status,
      totalFen: bill.totalFen,
      createdAt: bill.createdAt,
      closedAt: bill.closedAt,
      requests: sql<number>`(select count(*)::int from usage u where u.bill_id = "bill"."id")`,
      planTokens: sql<string>`(select coalesce(sum(u.plan_tokens), 0)::text from usage u where u.bill_id = "bill"."id" and u.refunded_at is null)`,
    })
    .from(bill)
    .where(eq(bill.userId, userId))
    .orderBy(desc(bill.cycle));
  return rows.map((r) => ({ ...r, requests: Number(r.requests), planTokens: BigInt(r.planTokens) }));
}

/** Filters on a bill's usage rows. A `memberUserId` filter narrows a family owner's bill to one member. */
export type UsageFilter = { modelId?: string; day?: string; memberUserId?: string; status?: "ok" | "interrupted" | "aborted" | "error" };

const SHANGHAI = sql.raw(`'Asia/Shanghai'`);
const dayExpr = sql<string>`to_char(${usage.createdAt} at time zone ${SHANGHAI}, 'YYYY-MM-DD')`;

/** The one place usage rows of a bill are selected, so every view (rows, charts, CSV) filters alike. */
function usageWhere(billId: string, f: UsageFilter = {}): SQL {
  const parts: SQL[] = [eq(usage.billId, billId)];
  if (f.modelId) parts.push(eq(usage.modelId, f.modelId));
  if (f.memberUserId) parts.push(eq(usage.userId, f.memberUserId));
  if (f.status) parts.push(eq(usage.status, f.status));
  if (f.day && /^\d{4}-\d{2}-\d{2}$/.test(f.day)) {
    const start = new Date(`${f.day}T00:00:00+08:00`);
    parts.push(gte(usage.createdAt, start), lt(usage.createdAt, new Date(start.getTime() + 86_400_000)));
  }
  return and(...parts)!;
}

export type BillDetail = {
  bill: Bill;
  lines: BillLine[];
  /** `carriedOver`: 上月结转, last cycle's unused allowance carried into this one (granted on top of `granted`). */
  allowance: { granted: bigint; planTokensUsed: bigint; carriedOver: bigint };
  byDay: { day: string; planTokens: bigint; requests: number }[];
  byModel: { modelId: string; planTokens: bigint; tokensIn: bigint; tokensOut: bigint; requests: number }[];
  charges: { id: string; status: string; amountFen: bigint; kind: string }[];
};

/** A bill with its lines and usage breakdowns — only if it belongs to `userId` (else null → 404). */
export async function getBill(
  db: Database,
  { billId, userId, filter = {} }: { billId: string; userId: string; filter?: UsageFilter },
): Promise<BillDetail | null> {
  if (!/^[0-9a-f-]{36}$/i.test(billId)) return null;
  const [b] = await db
    .select()
    .from(bill)
    .where(and(eq(bill.id, billId), eq(bill.userId, userId)));
  if (!b) return null;
  const lines = await db.select().from(billLine).where(eq(billLine.billId, b.id)).orderBy(asc(billLine.createdAt));
  const where = usageWhere(b.id, filter);
  const byDayRows = await db
    .select({ day: dayExpr, planTokens: sql<string>`coalesce(sum(${usage.planTokens}), 0)::text`, requests: count() })
    .from(usage)
    .where(where)
    .groupBy(dayExpr)
    .orderBy(dayExpr);
  const byModelRows = await db
    .select({
      modelId: usage.modelId,
      planTokens: sql<string>`coalesce(sum(${usage.planTokens}), 0)::text`,
      tokensIn: sql<string>`coalesce(sum(${usage.tokensIn}), 0)::text`,
      tokensOut: sql<string>`coalesce(sum(${usage.tokensOut}), 0)::text`,
      requests: count(),
    })
    .from(usage)
    .where(where)
    .groupBy(usage.modelId)
    .orderBy(desc(sql`sum(${usage.planTokens})`));
  const owned = db.select({ id: wallet.id }).from(wallet).where(eq(wallet.ownerUserId, userId));
  const [al] = await db
    .select({ granted: sql<string>`coalesce(sum(${bucket.granted}), 0)::text` })
    .from(bucket)
    .where(and(sql`${bucket.walletId} in ${owned}`, eq(bucket.kind, "allowance"), eq(bucket.cycle, b.cycle)));
  const [co] = await db
    .select({ granted: sql<string>`coalesce(sum(${bucket.granted}), 0)::text` })
    .from(bucket)
    .where(and(sql`${bucket.walletId} in ${owned}`, eq(bucket.kind, "carryover"), eq(bucket.cycle, b.cycle)));
  const charges = await db
    .select({ id: carrierCharge.id, status: carrierCharge.status, amountFen: carrierCharge.amountFen, kind: carrierCharge.kind })
    .from(carrierCharge)
    .where(eq(carrierCharge.billId, b.id));
  const planTokensUsed = byDayRows.reduce((s, r) => s + BigInt(r.planTokens), 0n);
  return {
    bill: b,
    lines,
    allowance: { granted: BigInt(al?.granted ?? "0"), planTokensUsed, carriedOver: BigInt(co?.granted ?? "0") },
    byDay: fillDays(
      b.cycle,
      byDayRows.map((r) => ({ day: r.day, planTokens: BigInt(r.planTokens), requests: Number(r.requests) })),
    ),
    byModel: byModelRows.map((r) => ({
      modelId: r.modelId,
      planTokens: BigInt(r.planTokens),
      tokensIn: BigInt(r.tokensIn),
      tokensOut: BigInt(r.tokensOut),
      requests: Number(r.requests),
    })),
    charges,
  };
}

/** Every day of the cycle up to its last usage or today, zeros included, for the daily chart. */
function fillDays(cycle: string, rows: { day: string; planTokens: bigint; requests: number }[]) {
  const { days } = cycleBounds(cycle);
  const map = new Map(rows.map((r) => [r.day, r]));
  const out: { day: string; planTokens: bigint; requests: number }[] = [];
  for (let d = 1; d <= days; d++) {
    const day = `${cycle}-${String(d).padStart(2, "0")}`;
    out.push(map.get(day) ?? { day, planTokens: 0n, requests: 0 });
  }
  return out;
}

export type UsageRow = {
  id: string;
  createdAt: Date;
  modelId: string;
  tokensIn: number;
  tokensOut: number;
  /** Of tokensIn, served from the provider's cache; null when the provider did not say. */
  tokensCached: number | null;
  /** Of tokensOut, spent reasoning; null when the provider did not say. */
  tokensReasoning: number | null;
  planTokens: bigint;
  status: string;
  userId: string;
  /** Only for the viewer's own requests: a member's conversation is theirs alone. */
  conversationId: string | null;
  apiKeyId: string | null;
  refunded: boolean;
};

/** A page of a bill's usage rows (newest first), owner-checked, with the same filters as getBill. */
export async function listBillUsage(
  db: Database,
  { billId, userId, filter = {}, page = 1, pageSize = 20 }: { billId: string; userId: string; filter?: UsageFilter; page?: number; pageSize?: number },
): Promise<{ rows: UsageRow[]; total: number; page: number; pageSize: number } | null> {
  if (!/^[0-9a-f-]{36}$/i.test(billId)) return null;
  const [b] = await db
    .select({ id: bill.id })
    .from(bill)
    .where(and(eq(bill.id, billId), eq(bill.userId, userId)));
  if (!b) return null;
  const size = Math.min(Math.max(1, pageSize), 1000);
  const p = Math.max(1, page);
  const where = usageWhere(b.id, filter);
  const [{ n }] = await db.select({ n: count() }).from(usage).where(where);
  const rows = await db
    .select()
    .from(usage)
    .where(where)
    .orderBy(desc(usage.createdAt), desc(usage.id))
    .limit(size)
    .offset((p - 1) * size);
  return {
    total: Number(n),
    page: p,
    pageSize: size,
    rows: rows.map((r) => ({
      id: r.id,
      createdAt: r.createdAt,
      modelId: r.modelId,
      tokensIn: r.tokensIn,
      tokensOut: r.tokensOut,
      tokensCached: r.tokensCached,
      tokensReasoning: r.tokensReasoning,
      planTokens: r.planTokens,
      status: r.status,
      userId: r.userId,
      conversationId: r.userId === userId ? r.conversationId : null,
      apiKeyId: r.userId === userId ? r.apiKeyId : null,
      refunded: r.refundedAt !== null,
    })),
  };
}
