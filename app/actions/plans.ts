"use server";
import { z } from "zod";
import { secret } from "@/auth";
import { env } from "@/lib/server/env";
import { clientIp, userAction } from "@/lib/server/actions";
import { otpLimitsFromEnv, requestCode, verifyCode } from "@/lib/auth/otp";
import { carrierBilling, catalogOptions, smsSender } from "@/lib/server/wiring";
import { fail } from "@/lib/core/errors";
import {
  buyPack,
  cancelPlan,
  changePlan,
  dismissAlert,
  getPlanSummary,
  getTier,
  listAlertNotices,
  PACK_IDS,
  quotePlans,
  TIER_IDS,
  undoScheduledChange,
} from "@/lib/plans";
import type { Database } from "@/lib/db/types";
import { MAX_AUTO_PACKS, setSafetyNet } from "@/lib/plans/safety-net";

const pepper = () => secret ?? "unitoken";

/** Texts a purchase code to the signed-in user's own phone. */
export const sendPurchaseCode = userAction(z.object({}), async (_input, { db, user, now }) => {
  const r = await requestCode(db, {
    phone: user.phone,
    purpose: "purchase",
    ip: await clientIp(),
    now,
    sender: smsSender(db),
    pepper: pepper(),
    limits: otpLimitsFromEnv(env),
  });
  if (r.ok) return { ok: true as const, resendInSeconds: 60 };
  if (r.code === "too_soon") return fail("too_soon", { seconds: r.retryAfterSeconds });
  if (r.code === "locked") return fail("locked", { minutes: minutesUntil(r.lockedUntil, now) });
  return fail(r.code);
});

const minutesUntil = (until: Date, now: Date) => Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 60_000));

async function checkCode(db: Database, phone: string, code: string, now: Date) {
  const v = await verifyCode(db, { phone, purpose: "purchase", code, now, pepper: pepper(), ip: await clientIp() });
  if (v.ok) return null;
  if (v.code === "invalid_code") return fail("invalid_code", { attemptsLeft: v.attemptsLeft });
  if (v.code === "locked") return fail("locked", { minutes: minutesUntil(v.lockedUntil, now) });
  return fail(v.code);
}

const code = z.string().regex(/^\d{6}$/);

/**
 * Subscribe or upgrade (charged now): needs the SMS code. `expectedFen` is the price the sheet
 * showed; when the day turned meanwhile (a different proration) nothing is charged and the user
 * sees the new price first.
 */
export const purchasePlan = userAction(
  z.object({
    tierId: z.enum(TIER_IDS),
    code,
    expectedFen: z
      .string()
      .regex(/^\d{1,12}$/)
      .optional(),
  }),
  async (input, { db, user, now }) => {
    const summary = await getPlanSummary(db, { userId: user.id, now });
    const quote = quotePlans(summary, now).find((q) => q.tierId === input.tierId);
    if (!quote || (quote.kind !== "subscribe" && quote.kind !== "upgrade")) return fail("not_a_purchase");
    if (input.expectedFen !== undefined && BigInt(input.expectedFen) !== quote.priceFen) return fail("quote_changed");
    const bad = await checkCode(db, user.phone, input.code, now);
    if (bad) return bad;
    const r = await changePlan(db, { userId: user.id, tierId: input.tierId, now, adapter: carrierBilling() });
    if (!r.ok) return fail(r.code);
    return { ok: true as const, action: r.action, tierId: r.tierId };
  },
);

/** Downgrade at the next cycle (no charge, no code). */
export const scheduleDowngrade = userAction(z.object({ tierId: z.enum(TIER_IDS) }), async (input, { db, user, now }) => {
  const summary = await getPlanSummary(db, { userId: user.id, now });
  const quote = quotePlans(summary, now).find((q) => q.tierId === input.tierId);
  if (quote?.kind !== "downgrade") return fail("not_a_downgrade");
  const r = await changePlan(db, { userId: user.id, tierId: input.tierId, now, adapter: carrierBilling() });
  return { ok: true as const, action: r.action, tierId: getTier(input.tierId)!.id };
});

export const cancelMyPlan = userAction(z.object({}), async (_input, { db, user, now }) => {
  const r = await cancelPlan(db, { userId: user.id, now });
  return { ok: true as const, action: r.action };
});

export const undoMyPlanChange = userAction(z.object({}), async (_input, { db, user, now }) => {
  const r = await undoScheduledChange(db, { userId: user.id, now });
  return { ok: true as const, action: r.action };
});

/** Buys a pack; `nonce` is made once per purchase dialog so a double submit charges once. */
export const purchasePack = userAction(z.object({ packId: z.enum(PACK_IDS), code, nonce: z.string().uuid() }), async (input, { db, user, now }) => {
  const bad = await checkCode(db, user.phone, input.code, now);
  if (bad) return bad;
  const r = await buyPack(db, { userId: user.id, packId: input.packId, nonce: input.nonce, now, adapter: carrierBilling() });
  if (!r.ok) return fail(r.code);
  return { ok: true as const, packId: r.pack.id };
});

export type AlertView = {
  id: string;
  threshold: number;
  /** A family member's own cap (else the plan's allowance). */
  member: boolean;
  createdAt: string;
  forecast: { kind: "spent" | "lasts" } | { kind: "runs_out"; at: string };
};

/** The user's allowance and cap notices of this cycle with their forecasts, for the in-app banner. */
export const getMyPlanAlerts = userAction(z.object({}).optional(), async (_input, { db, user, now }) => {
  const notices = await listAlertNotices(db, { userId: user.id, now });
  const alerts: AlertView[] = notices.map((a) => ({
    id: a.id,
    threshold: a.threshold,
    member: a.member,
    createdAt: a.createdAt.toISOString(),
    forecast: a.forecast.kind === "runs_out" ? { kind: "runs_out", at: a.forecast.at.toISOString() } : { kind: a.forecast.kind },
  }));
  return { ok: true as const, alerts };
});

export const dismissPlanAlert = userAction(z.object({ alertId: z.string().uuid() }), async (input, { db, user, now }) => {
  const done = await dismissAlert(db, { userId: user.id, alertId: input.alertId, now });
  return done ? { ok: true as const } : fail("not_found");
});

/**
 * 放心用: the payer chooses what happens when they (or a member of their family wallet) have
 * nothing left — stop, buy a pack automatically up to N times a month, or continue on an
 * economical model until the cycle ends (then packs within the same ceiling). A choice that may
 * charge needs the purchase code; stopping does not.
 */
export const setMySafetyNet = userAction(
  z.discriminatedUnion("mode", [
    z.object({ mode: z.literal("stop"), memberUserId: z.string().uuid().optional() }),
    z.object({
      mode: z.literal("auto_pack"),
      memberUserId: z.string().uuid().optional(),
      packId: z.enum(PACK_IDS),
      maxPacksPerMonth: z.number().int().min(1).max(MAX_AUTO_PACKS),
      code,
    }),
    z.object({
      mode: z.literal("economy"),
      memberUserId: z.string().uuid().optional(),
      modelId: z.string().min(1).max(200),
      packId: z.enum(PACK_IDS),
      maxPacksPerMonth: z.number().int().min(1).max(MAX_AUTO_PACKS),
      code,
    }),
  ]),
  async (input, { db, user, now }) => {
    const summary = await getPlanSummary(db, { userId: user.id, now });
    if (!summary.walletId || summary.status !== "active") return fail("no_plan");
    if (input.mode !== "stop") {
      const bad = await checkCode(db, user.phone, input.code, now);
      if (bad) return bad;
    }
    await setSafetyNet(db, {
      payerUserId: user.id,
      walletId: summary.walletId,
      userId: input.memberUserId ?? user.id,
      choice:
        input.mode === "auto_pack"
          ? { mode: "auto_pack", packId: input.packId, maxPacksPerMonth: input.maxPacksPerMonth }
          : input.mode === "economy"
            ? { mode: "economy", modelId: input.modelId, packId: input.packId, maxPacksPerMonth: input.maxPacksPerMonth }
            : { mode: "stop" },
      now,
      catalog: catalogOptions(),
    });
    return { ok: true as const };
  },
);
