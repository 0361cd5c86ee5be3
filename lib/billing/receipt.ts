import { and, eq, sql } from "drizzle-orm";
import type { Database } from "@/lib/db/types";
import { message, subscription, usage, wallet, type RouteAttemptRecord } from "@/lib/db/schema";
import { getModel } from "@/lib/catalog";
import { PACKS, getTier } from "@/lib/plans/tiers";

/** The ¥ value is kept in units of 0.0001 yuan (a hundredth of a fen): one reply is often worth less than a fen. */
export const VALUE_UNITS_PER_FEN = 100n;

/**
 * What `planTokens` are worth at a price of `priceFen` for `tokens` plan tokens, in 0.0001 yuan,
 * rounded half up: planTokens × priceFen × 100 / tokens, exact in bigint before the one rounding.
 */
export function valueAtPrice({ planTokens, priceFen, tokens }: { planTokens: bigint; priceFen: bigint; tokens: bigint }): bigint {
  if (tokens <= 0n) throw new RangeError("tokens must be positive");
  const num = planTokens * priceFen * VALUE_UNITS_PER_FEN;
  return (num * 2n + tokens) / (tokens * 2n);
}

export type PriceBasis = { kind: "tier" | "pack"; id: string; priceFen: bigint; tokens: bigint };

export type Receipt = {
  usageId: string;
  messageId: string;
  conversationId: string | null;
  createdAt: Date;
  modelId: string;
  modelName: string;
  providerRoute: string;
  /** Every route tried, in order (the last one served unless the reply failed); null for rows recorded before routing kept them. */
  routeAttempts: RouteAttemptRecord[] | null;
  tokensIn: number;
  /** Of tokensIn, served from the provider's cache; null when the usage row did not record it. */
  tokensCached: number | null;
  /** Of tokensOut, spent reasoning; null when the usage row did not record it. */
  tokensReasoning: number | null;
  tokensOut: number;
  weightInMicro: bigint;
  weightOutMicro: bigint;
  planTokens: bigint;
  usageSource: "provider" | "counted" | "none";
  status: "ok" | "interrupted" | "aborted" | "error";
  refundedAt: Date | null;
  /** The plan price the ¥ value is taken at: the paying wallet's tier, else the smallest pack. */
  basis: PriceBasis;
  /** planTokens at that price, in 0.0001 yuan, rounded half up. */
  valueE4: bigint;
};

/** The price one plan token is worth for this wallet: its owner's current tier, else the smallest pack. */
export async function priceBasisFor(db: Database, { walletId }: { walletId: string }): Promise<PriceBasis> {
  const [s] = await db
    .select({ tierId: subscription.tierId, status: subscription.status })
    .from(wallet)
    .innerJoin(subscription, eq(subscription.userId, wallet.ownerUserId))
    .where(eq(wallet.id, walletId))
    .limit(1);
  const tier = s && s.status === "active" ? getTier(s.tierId) : undefined;
  if (tier) return { kind: "tier", id: tier.id, priceFen: tier.priceFen, tokens: tier.tokens };
  const pack = PACKS[0]!;
  return { kind: "pack", id: pack.id, priceFen: pack.priceFen, tokens: pack.tokens };
}

/** The receipt of one reply the user owns, from its usage row; null when not theirs or not charged. */
export async function getReceipt(db: Database, { userId, messageId }: { userId: string; messageId: string }): Promise<Receipt | null> {
  const rows = await db
    .select({ m: message, u: usage })
    .from(message)
    .innerJoin(usage, eq(usage.id, message.usageId))
    .where(and(eq(message.id, messageId), eq(message.ownerUserId, userId), eq(message.role, "assistant"), eq(usage.userId, userId)))
    .limit(1);
  const r = rows[0];
  if (!r) return null;
  const { m, u } = r;
  const basis = await priceBasisFor(db, { walletId: u.walletId });
  return {
    usageId: u.id,
    messageId: m.id,
    conversationId: u.conversationId,
    createdAt: u.createdAt,
    modelId: u.modelId,
    modelName: getModel(u.modelId)?.name ?? u.modelId,
    providerRoute: u.providerRoute,
    routeAttempts: u.routeAttempts ?? null,
    tokensIn: u.tokensIn,
    tokensCached: u.tokensCached,
    tokensReasoning: u.tokensReasoning,
    tokensOut: u.tokensOut,
    weightInMicro: u.weightInMicro,
    weightOutMicro: u.weightOutMicro,
    planTokens: u.planTokens,
    usageSource: u.usageSource,
    status: u.status,
    refundedAt: u.refundedAt,
    basis,
    valueE4: valueAtPrice({ planTokens: u.planTokens, priceFen: basis.priceFen, tokens: basis.tokens }),
  };
}

/** What a conversation has cost its owner so far: every charged reply, regenerated ones included, less refunds. */
export async function conversationTotal(db: Database, { userId, conversationId }: { userId: string; conversationId: string }): Promise<bigint> {
  const [r] = await db
    .select({ total: sql<string>`coalesce(sum(${usage.planTokens}) filter (where ${usage.refundedAt} is null), 0)::text` })
    .from(usage)
    .where(and(eq(usage.userId, userId), eq(usage.conversationId, conversationId)));
  return BigInt(r?.total ?? "0");
}
