"use server";
import { z } from "zod";
import { revalidatePath } from "next/cache";
import { secret } from "@/auth";
import { env } from "@/lib/server/env";
import { clientIp, staffAction } from "@/lib/server/actions";
import { otpLimitsFromEnv } from "@/lib/auth/otp";
import { carrierBilling, smsSender } from "@/lib/server/wiring";
import { REASON_CODES, NOTE_MAX } from "@/lib/support/config";
import { lookupAccounts } from "@/lib/support/lookup";
import { clearCodeLockout, decideApproval, grantGoodwill, refundUsageRow, releaseStuckHold, signOutEverywhere, unmaskPhone } from "@/lib/support/actions";
import { cancelPlanForUser, changePlanForUser, sendPurchaseCodeForUser } from "@/lib/support/plan";
import { answerDispute } from "@/lib/disputes";

const pepper = () => secret ?? "unitoken";

// Every staff action: a reason code from the fixed list, a note, and the form's idempotency key.
const staffInput = {
  reasonCode: z.enum(REASON_CODES),
  note: z.string().trim().max(NOTE_MAX).default(""),
  idempotencyKey: z
    .string()
    .min(8)
    .max(100)
    .regex(/^[A-Za-z0-9_-]+$/),
};
const targeted = { targetUserId: z.uuid(), ...staffInput };

function ctxOf(input: { reasonCode: (typeof REASON_CODES)[number]; note: string; idempotencyKey: string }, actorUserId: string, now: Date) {
  return { actorUserId, reasonCode: input.reasonCode, note: input.note, idempotencyKey: input.idempotencyKey, now };
}

function refresh(targetUserId?: string) {
  if (targetUserId) revalidatePath(`/support/accounts/${targetUserId}`);
  revalidatePath("/support/audit");
  revalidatePath("/support/approvals");
}

export type LookupRow = {
  userId: string;
  name: string | null;
  maskedPhone: string;
  role: string;
  createdAt: string;
  lastSignInAt: string | null;
  matchedBy: string;
  detail: string | null;
};

/** Finds accounts; phones come back masked. */
export const lookupAccountsAction = staffAction(
  z.object({ query: z.string().trim().min(1).max(120), name: z.string().trim().max(40).optional() }),
  async (input, { db }) => {
    const rows = await lookupAccounts(db, { query: input.query, name: input.name });
    const results: LookupRow[] = rows.map((r) => ({ ...r, createdAt: r.createdAt.toISOString(), lastSignInAt: r.lastSignInAt?.toISOString() ?? null }));
    return { ok: true as const, results };
  },
);

/** Reveals a phone number; the reveal is audited. */
export const unmaskPhoneAction = staffAction(z.object(targeted), async (input, { db, user, now }) => {
  const r = await unmaskPhone(db, { targetUserId: input.targetUserId, ...ctxOf(input, user.id, now) });
  refresh(input.targetUserId);
  return { ok: true as const, phone: r.phone };
});

export const goodwillCreditAction = staffAction(
  z.object({ ...targeted, walletId: z.uuid().optional(), amount: z.string().regex(/^[1-9]\d{0,11}$/) }),
  async (input, { db, user, now }) => {
    const r = await grantGoodwill(db, {
      targetUserId: input.targetUserId,
      walletId: input.walletId ?? null,
      amount: BigInt(input.amount),
      ...ctxOf(input, user.id, now),
    });
    refresh(input.targetUserId);
    return { ok: true as const, status: r.status, approvalId: r.status === "pending_approval" ? r.approvalId : null, auditId: r.auditId, replayed: r.replayed };
  },
);

export const decideApprovalAction = staffAction(
  z.object({ approvalId: z.uuid(), decision: z.enum(["approve", "reject"]), ...staffInput }),
  async (input, { db, user, now }) => {
    const r = await decideApproval(db, { approvalId: input.approvalId, decision: input.decision, ...ctxOf(input, user.id, now) });
    refresh();
    revalidatePath("/support/accounts/[id]", "page");
    return r;
  },
);

export const refundUsageAction = staffAction(z.object({ ...targeted, usageId: z.uuid() }), async (input, { db, user, now }) => {
  const r = await refundUsageRow(db, { targetUserId: input.targetUserId, usageId: input.usageId, ...ctxOf(input, user.id, now) });
  refresh(input.targetUserId);
  return { ok: true as const, ...r };
});

const answerSchema = z.object({
  ticketId: z.uuid(),
  answer: z.string().trim().min(1).max(NOTE_MAX),
  refund: z.boolean(),
  idempotencyKey: staffInput.idempotencyKey,
});

/** Answers a 申诉 with an explanation or a refund (the audited refund path; never for the staff member's own account). */
export const answerDisputeAction = staffAction(answerSchema, async (input, { db, user, now }) => {
  const r = await answerDispute(db, {
    ticketId: input.ticketId,
    actorUserId: user.id,
    answer: input.answer,
    refund: input.refund,
    idempotencyKey: input.idempotencyKey,
    now,
  });
  revalidatePath("/support/disputes");
  refresh(r.ticket.userId);
  return { ok: true as const, status: r.ticket.status, resolution: r.ticket.resolution, auditId: r.auditId, replayed: r.replayed };
});

export const releaseHoldAction = staffAction(z.object({ ...targeted, holdId: z.uuid() }), async (input, { db, user, now }) => {
  const r = await releaseStuckHold(db, { targetUserId: input.targetUserId, holdId: input.holdId, ...ctxOf(input, user.id, now) });
  refresh(input.targetUserId);
  return { ok: true as const, ...r };
});

const tierId = z.string().min(1).max(20);

/**
 * Texts the customer a purchase code for a paid plan change (subscribe, upgrade) staff are about
 * to make for them; the customer reads it back. The SMS sender is built here, per call.
 */
export const sendPurchaseCodeAction = staffAction(z.object({ ...targeted, tierId }), async (input, { db, user, now }) => {
  const r = await sendPurchaseCodeForUser(db, {
    targetUserId: input.targetUserId,
    tierId: input.tierId,
    otp: { sender: smsSender(db), pepper: pepper(), ip: await clientIp(), limits: otpLimitsFromEnv(env) },
    ...ctxOf(input, user.id, now),
  });
  refresh(input.targetUserId);
  return { ok: true as const, expiresAt: r.expiresAt.toISOString(), resendInSeconds: 60, replayed: r.replayed };
});

/** Changes the plan; a change that charges the phone bill needs the code the customer read back. */
export const changePlanAction = staffAction(
  z.object({
    ...targeted,
    tierId,
    purchaseCode: z
      .string()
      .regex(/^\d{6}$/)
      .optional(),
  }),
  async (input, { db, user, now }) => {
    const r = await changePlanForUser(db, {
      targetUserId: input.targetUserId,
      tierId: input.tierId,
      purchaseCode: input.purchaseCode ?? null,
      otp: { pepper: pepper(), ip: await clientIp() },
      carrier: carrierBilling(),
      ...ctxOf(input, user.id, now),
    });
    refresh(input.targetUserId);
    return { ok: true as const, ...r };
  },
);

export const cancelPlanAction = staffAction(z.object(targeted), async (input, { db, user, now }) => {
  const r = await cancelPlanForUser(db, { targetUserId: input.targetUserId, ...ctxOf(input, user.id, now) });
  refresh(input.targetUserId);
  return { ok: true as const, ...r };
});

export const clearLockoutAction = staffAction(z.object(targeted), async (input, { db, user, now }) => {
  const r = await clearCodeLockout(db, { targetUserId: input.targetUserId, ...ctxOf(input, user.id, now) });
  refresh(input.targetUserId);
  return { ok: true as const, ...r };
});

export const signOutEverywhereAction = staffAction(z.object(targeted), async (input, { db, user, now }) => {
  const r = await signOutEverywhere(db, { targetUserId: input.targetUserId, ...ctxOf(input, user.id, now) });
  refresh(input.targetUserId);
  return { ok: true as const, ...r };
});
