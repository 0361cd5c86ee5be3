import type { Database } from "@/lib/db/types";
import { ensurePersonalWallet } from "@/lib/ledger";

export type PayingWallet = { walletId: string; kind: "personal" | "family"; ownerUserId: string };

/**
 * The wallet a user's chats and API calls spend from. A family member's choice between the
 * family pool and their own plan is resolved here (see lib/family).
 */
export async function resolvePayingWallet(db: Database, { userId }: { userId: string }): Promise<PayingWallet> {
  const w = await ensurePersonalWallet(db, { userId });
  return { walletId: w.id, kind: "personal", ownerUserId: userId };
}
