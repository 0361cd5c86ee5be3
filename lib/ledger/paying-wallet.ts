import { and, eq, gt, inArray, sql } from "drizzle-orm";
import type { Database } from "@/lib/db/types";
import { bucket, payingWalletPreference, subscription, user, wallet } from "@/lib/db/schema";
import { ensurePersonalWallet } from "./wallets";
import { getFamilyMembership, getFamilyMemberships } from "./family-wallets";
import { DomainError } from "@/lib/core/errors";

export type PayingWallet = { walletId: string; kind: "personal" | "family"; ownerUserId: string };

export type PaysFrom = "family" | "personal";

/** The active family (owner or member) of a user, if any. */
const activeFamily = (db: Database, userId: string) => getFamilyMembership(db, { userId });

/**
 * Whether the user's personal wallet has paid tokens of their own (a plan allowance or a pack
 * that has not expired): only then may a family member choose to pay from it.
 */
export async function hasOwnPlan(db: Database, { userId, now }: { userId: string; now: Date }): Promise<boolean> {
  const [r] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(bucket)
    .innerJoin(wallet, eq(wallet.id, bucket.walletId))
    .where(
      and(
        eq(wallet.ownerUserId, userId),
        eq(wallet.kind, "personal"),
        inArray(bucket.kind, ["allowance", "pack"]),
        gt(bucket.expiresAt, now),
        gt(bucket.available, sql`0`),
      ),
    );
  return Number(r?.n ?? 0) > 0;
}

/**
 * The wallet a user's chats and API calls spend from. An owner of a family plan and a family
 * member pay from the family pool; a member who also has a plan of their own pays from it only
 * when they chose so. Everyone else pays from their personal wallet.
 */
export async function resolvePayingWallet(db: Database, { userId, now = new Date() }: { userId: string; now?: Date }): Promise<PayingWallet> {
  return payingWalletOf(db, { userId, now, fam: await activeFamily(db, userId) });
}

/**
 * resolvePayingWallet for many users: their family memberships in one query (the background
 * re-reads of the API's active keys, made together), then each user's wallet as it resolves alone.
 */
export async function resolvePayingWallets(db: Database, { userIds, now = new Date() }: { userIds: string[]; now?: Date }): Promise<Map<string, PayingWallet>> {
  const fams = await getFamilyMemberships(db, { userIds });
  const found = new Map<string, PayingWallet>();
  await Promise.all(userIds.map(async (userId) => found.set(userId, await payingWalletOf(db, { userId, now, fam: fams.get(userId) ?? null }))));
  return found;
}

/** resolvePayingWallet for a family lookup already made (so callers don't repeat it). */
async function payingWalletOf(
  db: Database,
  { userId, now, fam }: { userId: string; now: Date; fam: Awaited<ReturnType<typeof activeFamily>> },
): Promise<PayingWallet> {
  if (fam) {
    if (fam.role === "owner") {
      // The owner pays from the pool while their plan feeds it; after a move to a personal tier
      // their allowance goes to their own wallet again, and so do their chats.
      const [sub] = await db.select({ walletId: subscription.walletId }).from(subscription).where(eq(subscription.userId, userId));
      if (!sub || sub.walletId === fam.walletId) return { walletId: fam.walletId, kind: "family", ownerUserId: fam.ownerUserId };
    } else {
      const [pref] = await db
        .select({ paysFrom: payingWalletPreference.paysFrom })
        .from(payingWalletPreference)
        .where(eq(payingWalletPreference.userId, userId));
      if (pref?.paysFrom !== "personal" || !(await hasOwnPlan(db, { userId, now }))) {
        return { walletId: fam.walletId, kind: "family", ownerUserId: fam.ownerUserId };
      }
    }
  }
  return { walletId: await personalWalletId(db, userId), kind: "personal", ownerUserId: userId };
}

/**
 * A user's personal wallet never changes once made (one per user, never deleted): its id is
 * remembered per process, so resolving who pays (re-read every few seconds for each active API
 * key) is one query, the family membership, instead of two.
 */
const personalIds = new Map<string, string>();
async function personalWalletId(db: Database, userId: string): Promise<string> {
  const known = personalIds.get(userId);
  if (known) return known;
  const w = await ensurePersonalWallet(db, { userId });
  if (personalIds.size >= 100_000) personalIds.clear();
  personalIds.set(userId, w.id);
  return w.id;
}

export type PayingWalletInfo = PayingWallet & {
  role: "owner" | "member" | null;
  /** The family owner's display name, when the family pool pays or could pay. */
  familyOwnerName: string | null;
  /** A member with their own plan may switch between the family pool and their own plan. */
  canChoose: boolean;
  paysFrom: PaysFrom;
};

/** The paying wallet plus what the chat header needs to show and offer. */
export async function getPayingWalletInfo(db: Database, { userId, now = new Date() }: { userId: string; now?: Date }): Promise<PayingWalletInfo> {
  const fam = await activeFamily(db, userId);
  const paying = await payingWalletOf(db, { userId, now, fam });
  let familyOwnerName: string | null = null;
  if (fam) {
    const [o] = await db.select({ name: user.name }).from(user).where(eq(user.id, fam.ownerUserId));
    familyOwnerName = o?.name ?? null;
  }
  const canChoose = fam?.role === "member" && (await hasOwnPlan(db, { userId, now }));
  return { ...paying, role: fam?.role ?? null, familyOwnerName, canChoose, paysFrom: paying.kind === "family" ? "family" : "personal" };
}

/** A family member with a plan of their own picks which wallet pays for their chats. */
export async function setPayingPreference(
  db: Database,
  { userId, paysFrom, now = new Date() }: { userId: string; paysFrom: PaysFrom; now?: Date },
): Promise<void> {
  const fam = await activeFamily(db, userId);
  if (!fam || fam.role !== "member") throw new DomainError("not_found");
  if (paysFrom === "personal" && !(await hasOwnPlan(db, { userId, now }))) throw new DomainError("no_own_plan");
  await db
    .insert(payingWalletPreference)
    .values({ userId, paysFrom, updatedAt: now })
    .onConflictDoUpdate({ target: payingWalletPreference.userId, set: { paysFrom, updatedAt: now } });
}
