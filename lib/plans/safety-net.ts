import { and, eq } from "drizzle-orm";
import type { Database } from "@/lib/db/types";
import { queryRows, sql } from "@/lib/db/sql";
import { safetyNet, user, wallet, walletMember, type SafetyNet } from "@/lib/db/schema";
import { DomainError } from "@/lib/core/errors";
import { cycleOf } from "@/lib/core/cycle";
import { formatYuan } from "@/lib/core/format";
import type { CarrierBillingAdapter } from "@/lib/billing/carrier";
import type { SmsSender } from "@/lib/sms";
import { getPack, type PackId } from "./tiers";
import { buyPack } from "./subscriptions";

export type SafetyNetChoice = { mode: "stop" } | { mode: "auto_pack"; packId: PackId; maxPacksPerMonth: number };

/** The most packs a month the safety net may buy for one spender. */
export const MAX_AUTO_PACKS = 10;

/** The payer's choice for one spender of a wallet; none means stop (the default). */
export async function getSafetyNet(db: Database, { walletId, userId }: { walletId: string; userId: string }): Promise<SafetyNet | null> {
  const [r] = await db
    .select()
    .from(safetyNet)
    .where(and(eq(safetyNet.walletId, walletId), eq(safetyNet.userId, userId)));
  return r ?? null;
}

/**
 * The payer sets what happens when `userId` (themselves, or a member of their family wallet) has
 * nothing left in `walletId`. Only the wallet's owner may; the caller has checked the purchase
 * code when the choice allows charges (auto_pack).
 */
export async function setSafetyNet(
  db: Database,
  { payerUserId, walletId, userId, choice, now }: { payerUserId: string; walletId: string; userId: string; choice: SafetyNetChoice; now: Date },
): Promise<SafetyNet> {
  const [w] = await db.select({ ownerUserId: wallet.ownerUserId }).from(wallet).where(eq(wallet.id, walletId));
  if (!w || w.ownerUserId !== payerUserId) throw new DomainError("not_found", "no such wallet");
  if (userId !== payerUserId) {
    const [m] = await db
      .select({ status: walletMember.status })
      .from(walletMember)
      .where(and(eq(walletMember.walletId, walletId), eq(walletMember.userId, userId)));
    if (!m || m.status !== "active") throw new DomainError("not_found", "no such member");
  }
  if (choice.mode === "auto_pack") {
    if (!getPack(choice.packId)) throw new DomainError("unknown_pack", `no pack ${choice.packId}`);
    if (!Number.isInteger(choice.maxPacksPerMonth) || choice.maxPacksPerMonth < 1 || choice.maxPacksPerMonth > MAX_AUTO_PACKS)
      throw new DomainError("invalid_input", "1 to 10 packs a month");
  }
  const values = {
    walletId,
    userId,
    mode: choice.mode,
    packId: choice.mode === "auto_pack" ? choice.packId : null,
    maxPacksPerMonth: choice.mode === "auto_pack" ? choice.maxPacksPerMonth : 0,
    setByUserId: payerUserId,
    updatedAt: now,
  };
  const [row] = await db
    .insert(safetyNet)
    .values(values)
    .onConflictDoUpdate({ target: [safetyNet.walletId, safetyNet.userId], set: values })
    .returning();
  return row!;
}

/**
 * Takes one of this cycle's `max` automatic packs for a spender: one conditional statement, so
 * however many requests find the wallet empty at once, at most `max` get a number. Returns the
 * purchase's number in the cycle (1…max), or null when the ceiling is reached.
 */
export async function claimAutoPack(
  db: Database,
  { walletId, userId, cycle, max }: { walletId: string; userId: string; cycle: string; max: number },
): Promise<number | null> {
  if (max < 1) return null;
  const rows = await queryRows<{ bought: number }>(
    db,
    sql`insert into auto_pack_count (wallet_id, user_id, cycle, bought) values (${walletId}::uuid, ${userId}::uuid, ${cycle}, 1)
        on conflict (wallet_id, user_id, cycle) do update set bought = auto_pack_count.bought + 1
        where auto_pack_count.bought < ${max}
        returning bought`,
  );
  return rows[0] ? Number(rows[0].bought) : null;
}

export type AutoPackResult =
  | { ok: true; n: number; max: number; packId: PackId; chargeId: string }
  | { ok: false; code: "no_safety_net" | "ceiling_reached" | "charge_failed" };

/**
 * 放心用: `userId` found `walletId` empty. When the payer chose automatic packs, buys one (charged
 * to the payer's phone bill, on their bill with its number in the month, texted to the payer)
 * unless this cycle's ceiling is reached. Keeps: never more than the ceiling per spender per cycle.
 */
export async function autoBuyPack(
  db: Database,
  { walletId, userId, now, adapter, sender }: { walletId: string; userId: string; now: Date; adapter: CarrierBillingAdapter; sender: SmsSender },
): Promise<AutoPackResult> {
  const net = await getSafetyNet(db, { walletId, userId });
  if (!net || net.mode !== "auto_pack" || !net.packId) return { ok: false, code: "no_safety_net" };
  const pack = getPack(net.packId)!;
  const cycle = cycleOf(now);
  const n = await claimAutoPack(db, { walletId, userId, cycle, max: net.maxPacksPerMonth });
  if (n === null) return { ok: false, code: "ceiling_reached" };
  const [payer] = await db.select({ id: user.id, phone: user.phone }).from(user).where(eq(user.id, net.setByUserId));
  const [spender] = await db.select({ name: user.name }).from(user).where(eq(user.id, userId));
  const who = userId === net.setByUserId ? "" : `${spender?.name ?? "家庭成员"}的`;
  const bought = await buyPack(db, {
    userId: net.setByUserId,
    packId: pack.id,
    nonce: `auto:${walletId}:${userId}:${cycle}:${n}`,
    now,
    adapter,
    intoWalletId: walletId,
    description: `${pack.name["zh-CN"]}（放心用自动购买 ${n}/${net.maxPacksPerMonth}）`,
    reason: "safety net",
  });
  if (!bought.ok) return { ok: false, code: "charge_failed" };
  if (payer)
    await sender.send({
      phone: payer.phone,
      kind: "alert",
      body: `【Unitoken】放心用：${who}额度已用完，已自动购买${pack.name["zh-CN"]}（${formatYuan(pack.priceFen)}，计入话费账单），本月第 ${n}/${net.maxPacksPerMonth} 次。`,
    });
  return { ok: true, n, max: net.maxPacksPerMonth, packId: pack.id, chargeId: bought.chargeId };
}
