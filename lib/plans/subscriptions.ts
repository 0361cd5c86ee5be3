import { and, eq, gt, sql } from "drizzle-orm";
import type { Database } from "@/lib/db/types";
import { bucket, planChange, subscription, type Subscription } from "@/lib/db/schema";
import { DomainError } from "@/lib/core/errors";
import { adjust, carryOverAllowance, ensurePersonalWallet, grant } from "@/lib/ledger";
import { cycleBounds, cycleOf, nextCycle, previousCycle } from "@/lib/core/cycle";
import { chargePhoneBill } from "@/lib/billing/carrier-charge";
import type { CarrierBillingAdapter } from "@/lib/billing/carrier";
import { getPack, getTier, isFamilyTier, memberSlots, type Pack, type Tier } from "./tiers";
import { firstMonthProration, upgradeProration } from "./proration";
import { walletForTier } from "./wallets";
import { countFamilyMembers } from "@/lib/ledger";

export type Actor = { actorUserId?: string; reason?: string };
type Common = { userId: string; now: Date; adapter: CarrierBillingAdapter } & Actor;

export type PlanChangeResult =
  | { ok: true; action: "subscribed" | "upgraded"; tierId: string; chargeId: string; amountFen: bigint; tokens: bigint }
  | { ok: true; action: "downgrade_scheduled" | "cancel_scheduled" | "undone"; tierId: string; effectiveAt: Date }
  | { ok: false; code: "charge_failed"; action: "charge_failed"; chargeId: string; reason: string };

export async function getSubscription(db: Database, { userId }: { userId: string }): Promise<Subscription | null> {
  const [s] = await db.select().from(subscription).where(eq(subscription.userId, userId));
  return s ?? null;
}

function tierOrThrow(id: string): Tier {
  const t = getTier(id);
  if (!t) throw new DomainError("unknown_tier", `no tier ${id}`);
  return t;
}

async function logChange(db: Database, row: Omit<typeof planChange.$inferInsert, "createdAt"> & { createdAt: Date }) {
  await db.insert(planChange).values(row);
}

/** Moves the subscription from `version` to the next state; false when someone else moved it first. */
async function advance(db: Database, sub: Subscription, set: Partial<typeof subscription.$inferInsert>, now: Date): Promise<boolean> {
  const rows = await db
    .update(subscription)
    .set({ ...set, updatedAt: now, version: sub.version + 1 })
    .where(and(eq(subscription.id, sub.id), eq(subscription.version, sub.version)))
    .returning({ id: subscription.id });
  return rows.length === 1;
}

/** Refuses a tier that cannot hold the family members the owner has now. */
async function assertFamilyFits(db: Database, userId: string, target: Tier | null) {
  const members = await countFamilyMembers(db, { ownerUserId: userId });
  const slots = target ? memberSlots(target) : 0;
  if (members > slots) throw new DomainError("family_members_exceed", "remove family members first", { members, allowed: slots });
}

/**
 * Subscribes, upgrades (now, prorated), or schedules a downgrade (next cycle) — whichever moving
 * to `tierId` means. Charges go through the carrier adapter; a failed charge grants nothing.
 * Keeps: each posted charge pays for exactly one grant; each state change bumps the version.
 */
export async function changePlan(db: Database, opts: Common & { tierId: string }): Promise<PlanChangeResult> {
  const { userId, now } = opts;
  const adapter = opts.adapter;
  const tier = tierOrThrow(opts.tierId);
  await rollOverUser(db, { userId, now, adapter });
  const sub = await getSubscription(db, { userId });
  const cycle = cycleOf(now);

  if (!sub || sub.status !== "active") return subscribe(db, { ...opts, adapter, tier, sub, cycle });

  const current = tierOrThrow(sub.tierId);
  if (tier.id === current.id) {
    if (sub.scheduledAction) return undoScheduledChange(db, { userId, now, actorUserId: opts.actorUserId, reason: opts.reason });
    throw new DomainError("already_on_tier", "already on this plan");
  }
  if (tier.priceFen > current.priceFen) return upgrade(db, { ...opts, adapter, tier, current, sub, cycle });

  await assertFamilyFits(db, userId, tier);
  const effectiveAt = cycleBounds(cycle).end;
  if (!(await advance(db, sub, { scheduledAction: "downgrade", scheduledTierId: tier.id }, now)))
    throw new DomainError("concurrent_change", "plan changed meanwhile");
  await logChange(db, {
    userId,
    action: "downgrade",
    fromTierId: current.id,
    toTierId: tier.id,
    actorUserId: opts.actorUserId,
    reason: opts.reason,
    createdAt: now,
  });
  return { ok: true, action: "downgrade_scheduled", tierId: tier.id, effectiveAt };
}

async function subscribe(
  db: Database,
  o: Common & { adapter: CarrierBillingAdapter; tier: Tier; sub: Subscription | null; cycle: string },
): Promise<PlanChangeResult> {
  const { userId, now, tier, sub, cycle } = o;
  const walletId = await walletForTier(db, { userId, tier });
  const chargeId = `plan:${userId}:v${sub?.version ?? 0}`;
  const grantKey = `allowance:${chargeId}`;
  // 按天折算: the first cycle costs and grants only the days left; renewals are whole.
  const p = firstMonthProration(tier, now);
  const description = p.prorated ? `${tier.name["zh-CN"]} ${cycle} 月费（首月按剩余 ${p.remaining}/${p.days} 天折算）` : `${tier.name["zh-CN"]} ${cycle} 月费`;
  const outcome = await chargePhoneBill(
    db,
    {
      chargeId,
      userId,
      cycle,
      kind: "subscribe",
      lineKind: "plan_fee",
      amountFen: p.priceFen,
      description,
      walletId,
      grantKey,
      grantTokens: p.tokens,
      grantKind: "allowance",
      now,
    },
    o.adapter,
  );
  if (!outcome.ok) return { ok: false, code: "charge_failed", action: "charge_failed", chargeId, reason: outcome.reason };
  await grant(db, {
    walletId,
    kind: "allowance",
    amount: p.tokens,
    expiresAt: cycleBounds(cycle).end,
    source: `plan:${tier.id}`,
    cycle,
    idempotencyKey: grantKey,
    actorUserId: o.actorUserId,
    reason: o.reason ?? "subscribe",
  });
  if (!sub) {
    await db
      .insert(subscription)
      .values({ userId, tierId: tier.id, currentCycle: cycle, walletId, startedAt: now, updatedAt: now, version: 1 })
      .onConflictDoNothing({ target: subscription.userId });
  } else {
    await advance(
      db,
      sub,
      { tierId: tier.id, status: "active", currentCycle: cycle, walletId, scheduledAction: null, scheduledTierId: null, startedAt: now },
      now,
    );
  }
  await logChange(db, { userId, action: "subscribe", toTierId: tier.id, chargeId, actorUserId: o.actorUserId, reason: o.reason, createdAt: now });
  return { ok: true, action: "subscribed", tierId: tier.id, chargeId, amountFen: p.priceFen, tokens: p.tokens };
}

async function upgrade(
  db: Database,
  o: Common & { adapter: CarrierBillingAdapter; tier: Tier; current: Tier; sub: Subscription; cycle: string },
): Promise<PlanChangeResult> {
  const { userId, now, tier, current, sub, cycle } = o;
  if (!isFamilyTier(tier)) await assertFamilyFits(db, userId, tier);
  const p = upgradeProration(current, tier, now);
  const walletId = await walletForTier(db, { userId, tier });
  const chargeId = `plan:${userId}:v${sub.version}`;
  const grantKey = `allowance:${chargeId}`;
  const description = `升级 ${current.name["zh-CN"]} → ${tier.name["zh-CN"]}（按本月剩余 ${p.remaining}/${p.days} 天折算）`;
  const outcome = await chargePhoneBill(
    db,
    {
      chargeId,
      userId,
      cycle,
      kind: "upgrade",
      lineKind: "proration",
      amountFen: p.priceFen,
      description,
      walletId,
      grantKey,
      grantTokens: p.tokens,
      grantKind: "allowance",
      now,
    },
    o.adapter,
  );
  if (!outcome.ok) return { ok: false, code: "charge_failed", action: "charge_failed", chargeId, reason: outcome.reason };
  const expiresAt = cycleBounds(cycle).end;
  if (walletId !== sub.walletId)
    await carryAllowance(db, { from: sub.walletId, to: walletId, cycle, now, key: chargeId, actorUserId: o.actorUserId ?? userId });
  await grant(db, {
    walletId,
    kind: "allowance",
    amount: p.tokens,
    expiresAt,
    source: `upgrade:${current.id}->${tier.id}`,
    cycle,
    idempotencyKey: grantKey,
    actorUserId: o.actorUserId,
    reason: o.reason ?? "upgrade",
  });
  await advance(db, sub, { tierId: tier.id, walletId, scheduledAction: null, scheduledTierId: null }, now);
  await logChange(db, {
    userId,
    action: "upgrade",
    fromTierId: current.id,
    toTierId: tier.id,
    chargeId,
    actorUserId: o.actorUserId,
    reason: o.reason,
    createdAt: now,
  });
  return { ok: true, action: "upgraded", tierId: tier.id, chargeId, amountFen: p.priceFen, tokens: p.tokens };
}

/**
 * Moving to a family tier mid-cycle: what is left of this cycle's allowance in the personal
 * wallet moves to the family wallet (debited there, granted here; both idempotent by key).
 */
async function carryAllowance(db: Database, o: { from: string; to: string; cycle: string; now: Date; key: string; actorUserId: string }) {
  const [r] = await db
    .select({ left: sql<string>`coalesce(sum(${bucket.available}), 0)::text` })
    .from(bucket)
    .where(and(eq(bucket.walletId, o.from), eq(bucket.kind, "allowance"), eq(bucket.cycle, o.cycle), gt(bucket.expiresAt, o.now)));
  const left = BigInt(r?.left ?? "0");
  if (left <= 0n) return;
  await adjust(db, {
    walletId: o.from,
    amount: -left,
    actorUserId: o.actorUserId,
    reason: "allowance moved to family wallet",
    idempotencyKey: `carry-out:${o.key}`,
    now: o.now,
  });
  await grant(db, {
    walletId: o.to,
    kind: "allowance",
    amount: left,
    expiresAt: cycleBounds(o.cycle).end,
    source: "carry",
    cycle: o.cycle,
    idempotencyKey: `carry-in:${o.key}`,
    actorUserId: o.actorUserId,
    reason: "allowance moved from personal wallet",
  });
}

/** Schedules the end of the plan at the end of this cycle; undoable until then. */
export async function cancelPlan(db: Database, opts: { userId: string; now: Date } & Actor): Promise<PlanChangeResult> {
  const { userId, now } = opts;
  const sub = await getSubscription(db, { userId });
  if (!sub || sub.status !== "active") throw new DomainError("no_plan", "no active plan");
  if (sub.scheduledAction === "cancel") throw new DomainError("already_scheduled", "cancel already scheduled");
  await assertFamilyFits(db, userId, null);
  if (!(await advance(db, sub, { scheduledAction: "cancel", scheduledTierId: null }, now)))
    throw new DomainError("concurrent_change", "plan changed meanwhile");
  await logChange(db, { userId, action: "cancel", fromTierId: sub.tierId, actorUserId: opts.actorUserId, reason: opts.reason, createdAt: now });
  return { ok: true, action: "cancel_scheduled", tierId: sub.tierId, effectiveAt: cycleBounds(sub.currentCycle).end };
}

/** Takes back a scheduled downgrade or cancel. */
export async function undoScheduledChange(db: Database, opts: { userId: string; now: Date } & Actor): Promise<PlanChangeResult> {
  const { userId, now } = opts;
  const sub = await getSubscription(db, { userId });
  if (!sub || sub.status !== "active" || !sub.scheduledAction) throw new DomainError("nothing_scheduled", "no scheduled change");
  if (!(await advance(db, sub, { scheduledAction: null, scheduledTierId: null }, now))) throw new DomainError("concurrent_change", "plan changed meanwhile");
  await logChange(db, {
    userId,
    action: "undo",
    fromTierId: sub.scheduledTierId,
    toTierId: sub.tierId,
    actorUserId: opts.actorUserId,
    reason: opts.reason,
    createdAt: now,
  });
  return { ok: true, action: "undone", tierId: sub.tierId, effectiveAt: now };
}

/**
 * Buys an add-on pack, valid to the end of the next cycle. `nonce` comes from the client per
 * purchase attempt so a double submit charges once.
 */
export async function buyPack(
  db: Database,
  opts: Common & {
    packId: string;
    nonce: string;
    /** The bill line's text (default: the pack's name). */
    description?: string;
    /** Grant into this wallet of the buyer's (default: the plan's wallet, else the personal one). */
    intoWalletId?: string;
  },
): Promise<
  { ok: true; status: "posted"; chargeId: string; pack: Pack } | { ok: false; code: "charge_failed"; status: "failed"; chargeId: string; reason: string }
> {
  const { userId, now } = opts;
  const pack = getPack(opts.packId);
  if (!pack) throw new DomainError("unknown_pack", `no pack ${opts.packId}`);
  const sub = await getSubscription(db, { userId });
  const walletId = opts.intoWalletId ?? (sub && sub.status === "active" ? sub.walletId : (await ensurePersonalWallet(db, { userId })).id);
  const cycle = cycleOf(now);
  let last = cycle;
  for (let i = 1; i < pack.validCycles; i++) last = nextCycle(last);
  const chargeId = `pack:${userId}:${opts.nonce}`;
  const grantKey = `pack-grant:${chargeId}`;
  const outcome = await chargePhoneBill(
    db,
    {
      chargeId,
      userId,
      cycle,
      kind: "pack",
      lineKind: "pack",
      amountFen: pack.priceFen,
      description: opts.description ?? pack.name["zh-CN"],
      walletId,
      grantKey,
      grantTokens: pack.tokens,
      grantKind: "pack",
      now,
    },
    opts.adapter,
  );
  if (!outcome.ok) return { ok: false, code: "charge_failed", status: "failed", chargeId, reason: outcome.reason };
  await grant(db, {
    walletId,
    kind: "pack",
    amount: pack.tokens,
    expiresAt: cycleBounds(last).end,
    source: `pack:${pack.id}`,
    cycle,
    idempotencyKey: grantKey,
    actorUserId: opts.actorUserId,
    reason: opts.reason ?? "pack",
  });
  if (!outcome.replayed)
    await logChange(db, { userId, action: "pack", packId: pack.id, chargeId, actorUserId: opts.actorUserId, reason: opts.reason, createdAt: now });
  return { ok: true, status: "posted", chargeId, pack };
}

/**
 * Brings one subscription into the cycle of `now`: applies a scheduled change, charges the
 * renewal, carries last cycle's unused allowance over (结转) and grants the new allowance. Idempotent: keys derive from (subscription, cycle) and
 * the state moves by a version check, so a second run (or a concurrent one) changes nothing.
 */
export async function rollOverUser(
  db: Database,
  { userId, now, adapter }: { userId: string; now: Date; adapter: CarrierBillingAdapter },
): Promise<"none" | "renewed" | "ended" | "lapsed"> {
  const sub = await getSubscription(db, { userId });
  const cycle = cycleOf(now);
  if (!sub || sub.status !== "active" || sub.currentCycle >= cycle) return "none";
  if (sub.scheduledAction === "cancel") {
    if (await advance(db, sub, { status: "ended", scheduledAction: null, scheduledTierId: null }, now)) {
      await logChange(db, { userId, action: "apply_cancel", fromTierId: sub.tierId, createdAt: now });
    }
    return "ended";
  }
  const tier = tierOrThrow(sub.scheduledAction === "downgrade" && sub.scheduledTierId ? sub.scheduledTierId : sub.tierId);
  const walletId = await walletForTier(db, { userId, tier });
  const chargeId = `renew:${sub.id}:${cycle}`;
  const grantKey = `allowance:${chargeId}`;
  const outcome = await chargePhoneBill(
    db,
    {
      chargeId,
      userId,
      cycle,
      kind: "renewal",
      lineKind: "plan_fee",
      amountFen: tier.priceFen,
      description: `${tier.name["zh-CN"]} ${cycle} 月费`,
      walletId,
      grantKey,
      grantTokens: tier.tokens,
      grantKind: "allowance",
      now,
    },
    adapter,
  );
  if (!outcome.ok) {
    if (await advance(db, sub, { status: "lapsed", scheduledAction: null, scheduledTierId: null }, now)) {
      await logChange(db, { userId, action: "lapse", fromTierId: sub.tierId, chargeId, reason: outcome.reason, createdAt: now });
    }
    return "lapsed";
  }
  // 结转: what last cycle's allowance had left carries into this cycle once, spent first, and
  // expires with this cycle (a renewal only; an ended or lapsed plan carries nothing).
  await carryOverAllowance(db, {
    fromWalletId: sub.walletId,
    toWalletId: walletId,
    fromCycle: previousCycle(cycle),
    toCycle: cycle,
    expiresAt: cycleBounds(cycle).end,
    key: `carryover:${sub.id}:${cycle}`,
    now,
  });
  await grant(db, {
    walletId,
    kind: "allowance",
    amount: tier.tokens,
    expiresAt: cycleBounds(cycle).end,
    source: `plan:${tier.id}`,
    cycle,
    idempotencyKey: grantKey,
    reason: "renewal",
  });
  if (await advance(db, sub, { tierId: tier.id, walletId, currentCycle: cycle, scheduledAction: null, scheduledTierId: null }, now)) {
    await logChange(db, {
      userId,
      action: sub.scheduledAction === "downgrade" ? "apply_downgrade" : "renew",
      fromTierId: sub.tierId,
      toTierId: tier.id,
      chargeId,
      createdAt: now,
    });
  }
  return "renewed";
}
