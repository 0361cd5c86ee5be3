import { and, eq, isNull, sql } from "drizzle-orm";
import type { Database } from "@/lib/db/types";
import { hold, memberSpend, walletMember, type WalletMember } from "@/lib/db/schema";
import { InvalidAmountError, MemberNotFoundError, WalletNotFoundError } from "./errors";
import { resolveAbandoned } from "./holds";
import { lockWallet } from "./internal";

export type MemberSpendView = {
  used: bigint;
  held: bigint;
  capTokens: bigint | null;
  /** Approved on top of the cap this cycle. */
  capExtra: bigint;
  /** Tokens the member may still reserve this cycle under the cap (null: no cap). */
  capLeft: bigint | null;
  paused: boolean;
  status: "active" | "removed";
};

/** A member's spend in one cycle, with their cap and what is left under it. */
export async function getMemberSpend(db: Database, { walletId, userId, cycle }: { walletId: string; userId: string; cycle: string }): Promise<MemberSpendView> {
  const [m] = await db
    .select()
    .from(walletMember)
    .where(and(eq(walletMember.walletId, walletId), eq(walletMember.userId, userId)));
  if (!m) throw new MemberNotFoundError(walletId, userId);
  const [s] = await db
    .select()
    .from(memberSpend)
    .where(and(eq(memberSpend.walletId, walletId), eq(memberSpend.userId, userId), eq(memberSpend.cycle, cycle)));
  const used = s?.used ?? 0n;
  const held = s?.held ?? 0n;
  // The cap this cycle includes what the payer approved on top of it (问户主).
  const cap = m.capTokens === null ? null : m.capTokens + (s?.capExtra ?? 0n);
  const capLeft = cap === null ? null : cap > used + held ? cap - used - held : 0n;
  return { used, held, capTokens: m.capTokens, capExtra: s?.capExtra ?? 0n, capLeft, paused: m.paused, status: m.status };
}

/** Adds (or re-activates) a member of a family wallet, with an optional monthly cap. */
export async function addMember(
  db: Database,
  { walletId, userId, capTokens = null }: { walletId: string; userId: string; capTokens?: bigint | null },
): Promise<WalletMember> {
  if (capTokens !== null && capTokens < 0n) throw new InvalidAmountError("cap must not be negative");
  return db.transaction(async (tx) => {
    const w = await lockWallet(tx, walletId);
    if (!w) throw new WalletNotFoundError(walletId);
    if (w.kind !== "family") throw new InvalidAmountError("only family wallets have members");
    const [m] = await tx
      .insert(walletMember)
      .values({ walletId, userId, role: userId === w.ownerUserId ? "owner" : "member", capTokens })
      .onConflictDoUpdate({
        target: [walletMember.walletId, walletMember.userId],
        set: { status: "active", removedAt: null, paused: false, capTokens },
      })
      .returning();
    return m;
  });
}

async function updateMember(db: Database, walletId: string, userId: string, set: Partial<Pick<WalletMember, "capTokens" | "paused">>): Promise<WalletMember> {
  // Under the wallet lock, so a reserve sees the change either entirely before or after it.
  return db.transaction(async (tx) => {
    if (!(await lockWallet(tx, walletId))) throw new WalletNotFoundError(walletId);
    const [m] = await tx
      .update(walletMember)
      .set(set)
      .where(and(eq(walletMember.walletId, walletId), eq(walletMember.userId, userId)))
      .returning();
    if (!m) throw new MemberNotFoundError(walletId, userId);
    return m;
  });
}

/** Sets a member's monthly cap in plan tokens (null: none). Takes effect for the next reserve. */
export async function setMemberCap(
  db: Database,
  { walletId, userId, capTokens }: { walletId: string; userId: string; capTokens: bigint | null },
): Promise<WalletMember> {
  if (capTokens !== null && capTokens < 0n) throw new InvalidAmountError("cap must not be negative");
  return updateMember(db, walletId, userId, { capTokens });
}

/** Pauses or resumes a member: a paused member's reserves are refused; open holds finish normally. */
export async function setMemberPaused(
  db: Database,
  { walletId, userId, paused }: { walletId: string; userId: string; paused: boolean },
): Promise<WalletMember> {
  return updateMember(db, walletId, userId, { paused });
}

/**
 * Removes a member: no new reserves from the moment this commits. Their live streams are asked
 * to stop (each sees it at its next progress note, aborts its upstream call and settles for what
 * was produced); a hold that showed no progress for its TTL (its process is gone) is settled
 * from what it recorded, else released. A live hold is never released here. The owner cannot be
 * removed.
 */
export async function removeMember(
  db: Database,
  { walletId, userId, now }: { walletId: string; userId: string; now: Date },
): Promise<{ settled: number; released: number; stopping: number }> {
  await db.transaction(async (tx) => {
    if (!(await lockWallet(tx, walletId))) throw new WalletNotFoundError(walletId);
    const [m] = await tx
      .update(walletMember)
      .set({ status: "removed", removedAt: now })
      .where(and(eq(walletMember.walletId, walletId), eq(walletMember.userId, userId), eq(walletMember.role, "member")))
      .returning();
    if (!m) throw new MemberNotFoundError(walletId, userId);
    await tx
      .update(hold)
      .set({ stopRequestedAt: now })
      .where(and(eq(hold.walletId, walletId), eq(hold.userId, userId), sql`${hold.state} = 'open'`, isNull(hold.stopRequestedAt)));
  });
  const open = await db
    .select({ id: hold.id })
    .from(hold)
    .where(and(eq(hold.walletId, walletId), eq(hold.userId, userId), sql`${hold.state} = 'open'`));
  const out = { settled: 0, released: 0, stopping: 0 };
  for (const h of open) {
    const r = await resolveAbandoned(db, h, "member removed", now);
    if (r.outcome === "live") out.stopping++;
    else if (r.outcome === "resolved") out[r.state === "settled" ? "settled" : "released"]++;
  }
  return out;
}
