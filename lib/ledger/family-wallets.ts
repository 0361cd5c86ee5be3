import { and, eq, sql } from "drizzle-orm";
import type { Database } from "@/lib/db/types";
import { wallet, walletMember } from "@/lib/db/schema";

/** Active members (not counting the owner) of the owner's family wallet. */
export async function countFamilyMembers(db: Database, { ownerUserId }: { ownerUserId: string }): Promise<number> {
  const [r] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(walletMember)
    .innerJoin(wallet, eq(wallet.id, walletMember.walletId))
    .where(and(eq(wallet.ownerUserId, ownerUserId), eq(wallet.kind, "family"), eq(walletMember.role, "member"), eq(walletMember.status, "active")));
  return Number(r?.n ?? 0);
}
