import type { Database } from "@/lib/db/types";
import { createFamilyWallet, ensurePersonalWallet } from "@/lib/ledger";
import { isFamilyTier, type Tier } from "./tiers";

/** The wallet a tier's allowance goes to: the owner's family wallet on family tiers, else personal. */
export async function walletForTier(db: Database, { userId, tier }: { userId: string; tier: Tier }): Promise<string> {
  const w = isFamilyTier(tier) ? await createFamilyWallet(db, { ownerUserId: userId }) : await ensurePersonalWallet(db, { userId });
  return w.id;
}
