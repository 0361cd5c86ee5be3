import { and, eq, sql } from "drizzle-orm";
import type { Database } from "@/lib/db/types";
import { usage, user, wallet, walletMember } from "@/lib/db/schema";
import { DomainError } from "@/lib/core/errors";
import { maskPhone } from "@/lib/core/format";
import { getOwnedFamilyWallet } from "./family";

// Everything here is an aggregate over the usage table (who, when, which model, how many
// tokens). No query in this module reads conversations or messages, and none returns a
// conversation id: a family shares a pool, not its chats.

/**
 * The bill a wallet's usage in `cycle` is on (its owner's): lets the queries below read through
 * the usage table's bill index, the only one it keeps besides per user.
 */
const onWalletsBill = (walletId: string, cycle: string) =>
  sql`${usage.billId} = (select b.id from bill b join wallet w on w.owner_user_id = b.user_id where w.id = ${walletId} and b.cycle = ${cycle})`;

export type MemberUsageTotal = {
  userId: string;
  name: string | null;
  phone: string;
  role: "owner" | "member";
  /** "removed" members keep their history on the owner's bill under their name. */
  status: "active" | "removed";
  requests: number;
  tokensIn: bigint;
  tokensOut: bigint;
  planTokens: bigint;
};

/**
 * The owner's bill, per member: plan tokens each person spent from the family pool in `cycle`
 * (refunded requests excluded from the tokens, counted in requests). Empty for a non-owner.
 */
export async function getFamilyUsageByMember(db: Database, { ownerUserId, cycle }: { ownerUserId: string; cycle: string }): Promise<MemberUsageTotal[]> {
  const w = await getOwnedFamilyWallet(db, { ownerUserId });
  if (!w) return [];
  const totals = await db
    .select({
      userId: usage.userId,
      requests: sql<number>`count(*)::int`,
      tokensIn: sql<string>`coalesce(sum(${usage.tokensIn}) filter (where ${usage.refundedAt} is null), 0)::text`,
      tokensOut: sql<string>`coalesce(sum(${usage.tokensOut}) filter (where ${usage.refundedAt} is null), 0)::text`,
      planTokens: sql<string>`coalesce(sum(${usage.planTokens}) filter (where ${usage.refundedAt} is null), 0)::text`,
    })
    .from(usage)
    .where(and(onWalletsBill(w.id, cycle), eq(usage.walletId, w.id), eq(usage.cycle, cycle)))
    .groupBy(usage.userId);
  const people = await db
    .select({ userId: walletMember.userId, role: walletMember.role, status: walletMember.status, name: user.name, phone: user.phone })
    .from(walletMember)
    .innerJoin(user, eq(user.id, walletMember.userId))
    .where(eq(walletMember.walletId, w.id));
  const byUser = new Map(totals.map((t) => [t.userId, t]));
  const rows: MemberUsageTotal[] = people
    .filter((p) => p.status === "active" || byUser.has(p.userId))
    .map((p) => {
      const t = byUser.get(p.userId);
      return {
        userId: p.userId,
        name: p.name,
        phone: maskPhone(p.phone),
        role: p.role,
        status: p.status,
        requests: Number(t?.requests ?? 0),
        tokensIn: BigInt(t?.tokensIn ?? "0"),
        tokensOut: BigInt(t?.tokensOut ?? "0"),
        planTokens: BigInt(t?.planTokens ?? "0"),
      };
    });
  return rows.sort((a, b) => (a.role === b.role ? (b.planTokens > a.planTokens ? 1 : b.planTokens < a.planTokens ? -1 : 0) : a.role === "owner" ? -1 : 1));
}

export type UsageBreakdown = {
  byDay: { day: string; requests: number; planTokens: bigint }[];
  byModel: { modelId: string; requests: number; tokensIn: bigint; tokensOut: bigint; planTokens: bigint }[];
};

async function breakdown(db: Database, walletId: string, userId: string, cycle: string): Promise<UsageBreakdown> {
  // Days in Asia/Shanghai (UTC+8, no daylight saving), matching the bill cycle.
  const day = sql<string>`to_char((${usage.createdAt} at time zone 'UTC') + interval '8 hours', 'YYYY-MM-DD')`;
  const where = and(onWalletsBill(walletId, cycle), eq(usage.walletId, walletId), eq(usage.userId, userId), eq(usage.cycle, cycle));
  const planTokens = sql<string>`coalesce(sum(${usage.planTokens}) filter (where ${usage.refundedAt} is null), 0)::text`;
  const days = await db.select({ day, requests: sql<number>`count(*)::int`, planTokens }).from(usage).where(where).groupBy(day).orderBy(day);
  const models = await db
    .select({
      modelId: usage.modelId,
      requests: sql<number>`count(*)::int`,
      tokensIn: sql<string>`coalesce(sum(${usage.tokensIn}) filter (where ${usage.refundedAt} is null), 0)::text`,
      tokensOut: sql<string>`coalesce(sum(${usage.tokensOut}) filter (where ${usage.refundedAt} is null), 0)::text`,
      planTokens,
    })
    .from(usage)
    .where(where)
    .groupBy(usage.modelId)
    .orderBy(sql`sum(${usage.planTokens}) desc`);
  return {
    byDay: days.map((d) => ({ day: d.day, requests: Number(d.requests), planTokens: BigInt(d.planTokens) })),
    byModel: models.map((m) => ({
      modelId: m.modelId,
      requests: Number(m.requests),
      tokensIn: BigInt(m.tokensIn),
      tokensOut: BigInt(m.tokensOut),
      planTokens: BigInt(m.planTokens),
    })),
  };
}

/**
 * The owner's view of one person's spend from the family pool in `cycle`, by day and by model.
 * Only for people who are or were in the owner's family; anyone else is not_found.
 */
export async function getMemberUsageBreakdown(
  db: Database,
  { ownerUserId, memberUserId, cycle }: { ownerUserId: string; memberUserId: string; cycle: string },
): Promise<UsageBreakdown> {
  const w = await getOwnedFamilyWallet(db, { ownerUserId });
  if (!w) throw new DomainError("not_found");
  const [m] = await db
    .select({ userId: walletMember.userId })
    .from(walletMember)
    .where(and(eq(walletMember.walletId, w.id), eq(walletMember.userId, memberUserId)));
  if (!m) throw new DomainError("not_found");
  return breakdown(db, w.id, memberUserId, cycle);
}

/** A member's own spend from the family pool they are in (or were in), by day and by model. */
export async function getOwnFamilyUsage(db: Database, { userId, cycle }: { userId: string; cycle: string }): Promise<UsageBreakdown> {
  const rows = await db
    .select({ walletId: walletMember.walletId })
    .from(walletMember)
    .innerJoin(wallet, eq(wallet.id, walletMember.walletId))
    .where(and(eq(walletMember.userId, userId), eq(walletMember.status, "active"), eq(wallet.kind, "family")));
  if (!rows[0]) return { byDay: [], byModel: [] };
  return breakdown(db, rows[0].walletId, userId, cycle);
}
