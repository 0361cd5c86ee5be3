import { and, eq } from "drizzle-orm";
import type { Database } from "@/lib/db/types";
import { wallet, walletMember, type Wallet } from "@/lib/db/schema";

/** The user's personal wallet, created on first need; one per user (unique index). */
export async function ensurePersonalWallet(db: Database, { userId }: { userId: string }): Promise<Wallet> {
  const [existing] = await db
    .select()
    .from(wallet)
    .where(and(eq(wallet.ownerUserId, userId), eq(wallet.kind, "personal")));
  if (existing) return existing;
  const inserted = await db.insert(wallet).values({ kind: "personal", ownerUserId: userId }).onConflictDoNothing().returning();
  if (inserted[0]) return inserted[0];
  const [row] = await db
    .select()
    .from(wallet)
    .where(and(eq(wallet.ownerUserId, userId), eq(wallet.kind, "personal")));
  if (!row) throw new Error("personal wallet vanished");
  return row;
}

/** The owner's family wallet, created with the owner as its first member; one per owner. */
export async function createFamilyWallet(db: Database, { ownerUserId }: { ownerUserId: string }): Promise<Wallet> {
  return db.transaction(async (tx) => {
    const inserted = await tx.insert(wallet).values({ kind: "family", ownerUserId }).onConflictDoNothing().returning();
    const w =
      inserted[0] ??
      (
        await tx
          .select()
          .from(wallet)
          .where(and(eq(wallet.ownerUserId, ownerUserId), eq(wallet.kind, "family")))
      )[0];
    if (!w) throw new Error("family wallet vanished");
    await tx.insert(walletMember).values({ walletId: w.id, userId: ownerUserId, role: "owner" }).onConflictDoNothing();
    return w;
  });
}

export type WalletWithRole = Wallet & { role: "owner" | "member" };

/** Wallets the user may spend from: their own personal wallet and families they are active in. */
export async function getWalletsForUser(db: Database, { userId }: { userId: string }): Promise<WalletWithRole[]> {
  const personal = await db
    .select()
    .from(wallet)
    .where(and(eq(wallet.ownerUserId, userId), eq(wallet.kind, "personal")));
  const family = await db
    .select({ w: wallet, role: walletMember.role })
    .from(walletMember)
    .innerJoin(wallet, eq(wallet.id, walletMember.walletId))
    .where(and(eq(walletMember.userId, userId), eq(walletMember.status, "active")));
  return [...personal.map((w) => ({ ...w, role: "owner" as const })), ...family.map((r) => ({ ...r.w, role: r.role }))];
}
