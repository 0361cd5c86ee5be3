import { and, eq, sql } from "drizzle-orm";
import type { Database } from "@/lib/db/types";
import { wallet, walletMember } from "@/lib/db/schema";
import { createFamilyWallet, ensurePersonalWallet } from "@/lib/ledger";
import { isFamilyTier, type Tier } from "./catalog";

/** The wallet a tier's allowance goes to: the owner's family wallet on family tiers, else personal. */
export async function walletForTier(db: Database, { userId, tier }: { userId: string; tier: Tier }): Promise<string> {
  const w = isFamilyTier(tier) ? await createFamilyWallet(db, { ownerUserId: userId }) : await ensurePersonalWallet(db, { userId });
  return w.id;
}

/** The owner's family wallet, if one was ever created. */
export async function findFamilyWallet(db: Database, { ownerUserId }: { ownerUserId: string }): Promise<string | null> {
  const [w] = await db.select({ id: wallet.id }).from(wallet).where(and(eq(wallet.ownerUserId, ownerUserId), eq(wallet.kind, "family")));
  return w?.id ?? null;
}

/** Active members (not counting the owner) of the owner's family wallet. */
export async function countFamilyMembers(db: Database, { ownerUserId }: { ownerUserId: string }): Promise<number> {
  const [r] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(walletMember)
    .innerJoin(wallet, eq(wallet.id, walletMember.walletId))
    .where(and(eq(wallet.ownerUserId, ownerUserId), eq(wallet.kind, "family"), eq(walletMember.role, "member"), eq(walletMember.status, "active")));
  return Number(r?.n ?? 0);
}
