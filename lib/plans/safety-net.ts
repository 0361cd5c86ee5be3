import { and, eq } from "drizzle-orm";
import type { Database } from "@/lib/db/types";
import { queryRows, sql } from "@/lib/db/sql";
import { economySwitch, safetyNet, user, wallet, walletMember, type SafetyNet } from "@/lib/db/schema";
import { DomainError } from "@/lib/core/errors";
import { cycleOf } from "@/lib/core/cycle";
import { RefreshAheadCache } from "@/lib/core/refresh-ahead";
import { formatYuan } from "@/lib/core/format";
import type { CarrierBillingAdapter } from "@/lib/billing/carrier";
import type { SmsSender } from "@/lib/sms";
import { getModel, listedModels, type CatalogOptions } from "@/lib/catalog";
import { isEconomical } from "@/lib/family/controls";
import { getPack, type PackId } from "./tiers";
import { buyPack } from "./subscriptions";
import { rollOverWalletPlan } from "./rollover";

export type SafetyNetChoice =
  | { mode: "stop" }
  | { mode: "auto_pack"; packId: PackId; maxPacksPerMonth: number }
  | { mode: "economy"; modelId: string; packId: PackId; maxPacksPerMonth: number };

/** The economical models a payer may pick for "economy": the recommended ones, cheapest first (else any). */
export function economicalModels(catalog?: CatalogOptions): { id: string; name: string }[] {
  const eco = listedModels(catalog).filter((m) => isEconomical(m.weights));
  const picked = eco.some((m) => m.recommended) ? eco.filter((m) => m.recommended) : eco.slice(0, 10);
  return picked
    .sort((a, b) => Number(a.weights.inMicro + a.weights.outMicro - (b.weights.inMicro + b.weights.outMicro)))
    .map((m) => ({ id: m.id, name: m.name }));
}

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
  {
    payerUserId,
    walletId,
    userId,
    choice,
    now,
    catalog,
  }: { payerUserId: string; walletId: string; userId: string; choice: SafetyNetChoice; now: Date; catalog?: CatalogOptions },
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
  if (choice.mode !== "stop") {
    if (!getPack(choice.packId)) throw new DomainError("unknown_pack", `no pack ${choice.packId}`);
    if (!Number.isInteger(choice.maxPacksPerMonth) || choice.maxPacksPerMonth < 1 || choice.maxPacksPerMonth > MAX_AUTO_PACKS)
      throw new DomainError("invalid_input", "1 to 10 packs a month");
  }
  if (choice.mode === "economy") {
    const m = getModel(choice.modelId, catalog);
    if (!m || m.hidden || !isEconomical(m.weights)) throw new DomainError("not_economical", `${choice.modelId} is not an economical model`);
  }
  const values = {
    walletId,
    userId,
    mode: choice.mode,
    packId: choice.mode === "stop" ? null : choice.packId,
    maxPacksPerMonth: choice.mode === "stop" ? 0 : choice.maxPacksPerMonth,
    economyModelId: choice.mode === "economy" ? choice.modelId : null,
    setByUserId: payerUserId,
    updatedAt: now,
  };
  const [row] = await db
    .insert(safetyNet)
    .values(values)
    .onConflictDoUpdate({ target: [safetyNet.walletId, safetyNet.userId], set: values })
    .returning();
  // A new choice starts afresh: a spender switched this cycle goes back to the model they pick.
  await db.delete(economySwitch).where(and(eq(economySwitch.walletId, walletId), eq(economySwitch.userId, userId), eq(economySwitch.cycle, cycleOf(now))));
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
  if (!net || net.mode === "stop" || !net.packId) return { ok: false, code: "no_safety_net" };
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

/**
 * 放心用 "continue on an economical model until the cycle ends" — the rule, stated once:
 *
 * 1. A request of a spender whose payer chose "economy" finds the wallet too short for the model
 *    it asked for (the hold does not fit). If that model is not economical (input + output weight
 *    at most 3 plan tokens per token, lib/family/controls.ts), the spender is switched for the rest
 *    of the cycle (one `economy_switch` row per wallet, spender and cycle) and the request is
 *    served on the payer's economical model instead — the reply says so.
 * 2. While switched, every request of that spender on a model that is not economical is served on
 *    the economical model from the start. Economical models they pick themselves go as they are.
 * 3. Nothing is free: the economical model is metered and charged through the same hold on the
 *    same wallet (what is left of allowance, carry-over and packs). When even its hold does not
 *    fit, the payer's chosen pack is bought automatically within the monthly ceiling, exactly as
 *    "auto_pack" does (texted, on the bill, set with the purchase code); past the ceiling the
 *    request is refused (insufficient_balance).
 * 4. A member's monthly cap still applies to the economical model (cap_reached: they ask the payer).
 * 5. The switch ends with the cycle, or when the payer saves a new choice for that spender.
 */
export type WalletDry = { action: "refuse" } | { action: "retry" } | { action: "switch"; modelId: string };

/**
 * What the pipeline does when a spender's hold does not fit: the rule above, steps 1 and 3. First
 * of all, a plan paying this wallet whose month turned before the rollover ran is renewed: the new
 * allowance is what the request needs, not a switch or a pack.
 */
export async function onWalletDry(
  db: Database,
  p: {
    walletId: string;
    userId: string;
    modelId: string;
    weights: { inMicro: bigint; outMicro: bigint };
    now: Date;
    adapter: CarrierBillingAdapter;
    sender: SmsSender;
  },
): Promise<WalletDry> {
  if ((await rollOverWalletPlan(db, p)) === "renewed") return { action: "retry" };
  const net = await getSafetyNet(db, { walletId: p.walletId, userId: p.userId });
  if (!net || net.mode === "stop") return { action: "refuse" };
  if (net.mode === "economy" && net.economyModelId && net.economyModelId !== p.modelId && !isEconomical(p.weights)) {
    await db
      .insert(economySwitch)
      .values({ walletId: p.walletId, userId: p.userId, cycle: cycleOf(p.now), fromModelId: p.modelId, since: p.now })
      .onConflictDoNothing();
    return { action: "switch", modelId: net.economyModelId };
  }
  const bought = await autoBuyPack(db, p);
  return bought.ok ? { action: "retry" } : { action: "refuse" };
}

/**
 * The rule's step 2, asked before every request on a model that is not economical: the payer's
 * economical model when the spender was switched this cycle (and the payer still chooses
 * "economy"), else null. One primary-key lookup.
 */
export async function economyModelFor(
  db: Database,
  p: { walletId: string; userId: string; modelId: string; weights: { inMicro: bigint; outMicro: bigint }; now: Date },
): Promise<string | null> {
  if (isEconomical(p.weights)) return null;
  return economyModelOf(await switchOf(db, p), p.modelId);
}

type SwitchRow = { modelId: string | null; mode: string } | null;

async function switchOf(db: Database, p: { walletId: string; userId: string; now: Date }): Promise<SwitchRow> {
  const [r] = await db
    .select({ modelId: safetyNet.economyModelId, mode: safetyNet.mode })
    .from(economySwitch)
    .innerJoin(safetyNet, and(eq(safetyNet.walletId, economySwitch.walletId), eq(safetyNet.userId, economySwitch.userId)))
    .where(and(eq(economySwitch.walletId, p.walletId), eq(economySwitch.userId, p.userId), eq(economySwitch.cycle, cycleOf(p.now))));
  return r ?? null;
}

function economyModelOf(r: SwitchRow, modelId: string): string | null {
  return r && r.mode === "economy" && r.modelId && r.modelId !== modelId ? r.modelId : null;
}

/**
 * economyModelFor with a short per-process memory of "never switched this cycle", the answer for
 * almost every request: those make no query. A switched spender is looked up every time, so a
 * payer's new choice (rule 5) applies at once. A switch made by this process (`switched`) is seen
 * at once; one made by another instance within `ttlMs`: that spender's next requests there try
 * the model they asked for first, find the wallet too short as before, and are switched then
 * (rule 1), so nothing is served that is not paid for.
 */
export function economySwitchLookup(opts: { ttlMs: number; maxEntries?: number; now?: () => number }) {
  // Only "not switched" (null) is remembered; `delete` wins over a lookup in flight.
  const notSwitched = new RefreshAheadCache<SwitchRow>({ ttlMs: opts.ttlMs, maxEntries: opts.maxEntries ?? 50_000, now: opts.now, keep: (r) => r === null });
  /** wallet:spender:cycle */
  const keyOf = (walletId: string, userId: string, now: Date) => `${walletId}:${userId}:${cycleOf(now)}`;
  return {
    /** The answer at once when it is remembered (a promise only when it must be looked up). */
    economyModel(
      db: Database,
      p: { walletId: string; userId: string; modelId: string; weights: { inMicro: bigint; outMicro: bigint }; now: Date },
    ): string | null | Promise<string | null> {
      if (isEconomical(p.weights)) return null;
      const key = keyOf(p.walletId, p.userId, p.now);
      const load = () => switchOf(db, p);
      const hit = notSwitched.peek(key, load);
      return hit ? economyModelOf(hit.value, p.modelId) : notSwitched.get(key, load).then((r) => economyModelOf(r, p.modelId));
    },
    /** This process switched a spender (onWalletDry said "switch"): forget "not switched". */
    switched(p: { walletId: string; userId: string; now: Date }): void {
      notSwitched.delete(keyOf(p.walletId, p.userId, p.now));
    },
  };
}

/** Whether a spender runs on the economical model this cycle (for the plan and family pages). */
export async function economySwitchedSince(db: Database, { walletId, userId, now }: { walletId: string; userId: string; now: Date }): Promise<Date | null> {
  const [r] = await db
    .select({ since: economySwitch.since })
    .from(economySwitch)
    .where(and(eq(economySwitch.walletId, walletId), eq(economySwitch.userId, userId), eq(economySwitch.cycle, cycleOf(now))));
  return r?.since ?? null;
}
