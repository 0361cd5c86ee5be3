import { and, desc, eq, inArray, sql } from "drizzle-orm";
import type { Database, Tx } from "@/lib/db/types";
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

export type Membership = { walletId: string; ownerUserId: string; role: "owner" | "member"; capTokens: bigint | null; paused: boolean };

/** The family the user is active in (as owner or member), or null. A person is in one family at most. */
export async function getFamilyMembership(db: Database | Tx, { userId }: { userId: string }): Promise<Membership | null> {
  return (await getFamilyMemberships(db, { userIds: [userId] })).get(userId) ?? null;
}

/** getFamilyMembership for many users in one query: only users active in a family are in the map. */
export async function getFamilyMemberships(db: Database | Tx, { userIds }: { userIds: string[] }): Promise<Map<string, Membership>> {
  const found = new Map<string, Membership>();
  if (userIds.length === 0) return found;
  const rows = await db
    .select({
      userId: walletMember.userId,
      walletId: walletMember.walletId,
      ownerUserId: wallet.ownerUserId,
      role: walletMember.role,
      capTokens: walletMember.capTokens,
      paused: walletMember.paused,
    })
    .from(walletMember)
    .innerJoin(wallet, eq(wallet.id, walletMember.walletId))
    .where(and(inArray(walletMember.userId, userIds), eq(walletMember.status, "active"), eq(wallet.kind, "family")))
    // An owner row wins over a stale member row, so an owner is always treated as the owner.
    .orderBy(desc(walletMember.role));
  for (const { userId, ...m } of rows) if (!found.has(userId)) found.set(userId, m);
  return found;
}
