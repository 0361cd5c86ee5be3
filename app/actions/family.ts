"use server";
import { z } from "zod";
import { userAction } from "@/lib/server/actions";
import { smsSender } from "@/lib/server/wiring";
import { serverOrigin } from "@/lib/server/env";
import { approveRequest, askPayer, setMemberControls } from "@/lib/family/controls";
import { fail } from "@/lib/core/errors";
import { cycleOf } from "@/lib/core/cycle";
import {
  acceptInvitation,
  declineInvitation,
  getMemberUsageBreakdown,
  getOwnFamilyUsage,
  inviteMember,
  leaveFamily,
  listInvitationNotices,
  type InvitationNotice,
  removeFamilyMember,
  revokeInvitation,
  setCap,
  setPaused,
} from "@/lib/family";
import { getPayingWalletInfo, setPayingPreference } from "@/lib/ledger";
import { getModel } from "@/lib/catalog";

// Every action acts for the signed-in user (never a user id from the input) and checks, in
// lib/family, that the member or invitation it names belongs to that user's family.

const id = z.string().uuid();
/** Plan tokens as a decimal string (bigints cross the wire as strings); null = no cap. */
const capSchema = z.union([z.string().regex(/^\d{1,15}$/, "invalid_cap"), z.null()]);
const cycleSchema = z.string().regex(/^\d{4}-\d{2}$/);

export const inviteFamilyMember = userAction(z.object({ phone: z.string().max(32), capTokens: capSchema.optional() }), async (input, { db, user, now }) => {
  const { invitation } = await inviteMember(db, {
    ownerUserId: user.id,
    phone: input.phone,
    capTokens: input.capTokens == null ? null : BigInt(input.capTokens),
    now,
    sms: smsSender(db),
  });
  return { ok: true as const, invitationId: invitation.id };
});

export const revokeFamilyInvitation = userAction(z.object({ invitationId: id }), async ({ invitationId }, { db, user, now }) => {
  await revokeInvitation(db, { ownerUserId: user.id, invitationId, now });
  return { ok: true as const };
});

export const acceptFamilyInvitation = userAction(z.object({ invitationId: id }), async ({ invitationId }, { db, user, now }) => {
  await acceptInvitation(db, { userId: user.id, invitationId, now });
  return { ok: true as const };
});

export const declineFamilyInvitation = userAction(z.object({ invitationId: id }), async ({ invitationId }, { db, user, now }) => {
  await declineInvitation(db, { userId: user.id, invitationId, now });
  return { ok: true as const };
});

export const setFamilyMemberCap = userAction(z.object({ memberUserId: id, capTokens: capSchema }), async ({ memberUserId, capTokens }, { db, user }) => {
  await setCap(db, { ownerUserId: user.id, memberUserId, capTokens: capTokens === null ? null : BigInt(capTokens) });
  return { ok: true as const };
});

export const setFamilyMemberPaused = userAction(z.object({ memberUserId: id, paused: z.boolean() }), async ({ memberUserId, paused }, { db, user }) => {
  await setPaused(db, { ownerUserId: user.id, memberUserId, paused });
  return { ok: true as const };
});

export const removeFamilyMemberAction = userAction(z.object({ memberUserId: id }), async ({ memberUserId }, { db, user, now }) => {
  await removeFamilyMember(db, { ownerUserId: user.id, memberUserId, now });
  return { ok: true as const };
});

export const leaveFamilyAction = userAction(z.object({}), async (_input, { db, user, now }) => {
  await leaveFamily(db, { userId: user.id, now });
  return { ok: true as const };
});

export type UsageBreakdownView = {
  byDay: { day: string; requests: number; planTokens: string }[];
  byModel: { modelId: string; modelName: string; requests: number; tokensIn: string; tokensOut: string; planTokens: string }[];
};

function toView(b: Awaited<ReturnType<typeof getOwnFamilyUsage>>): UsageBreakdownView {
  return {
    byDay: b.byDay.map((d) => ({ ...d, planTokens: d.planTokens.toString() })),
    byModel: b.byModel.map((m) => ({
      ...m,
      modelName: getModel(m.modelId)?.name ?? m.modelId,
      tokensIn: m.tokensIn.toString(),
      tokensOut: m.tokensOut.toString(),
      planTokens: m.planTokens.toString(),
    })),
  };
}

/** The owner's drill-down into one member's totals (by day, by model); never any message text. */
export const getFamilyMemberUsage = userAction(
  z.object({ memberUserId: id, cycle: cycleSchema.optional() }),
  async ({ memberUserId, cycle }, { db, user, now }) => {
    const b = await getMemberUsageBreakdown(db, { ownerUserId: user.id, memberUserId, cycle: cycle ?? cycleOf(now) });
    return { ok: true as const, usage: toView(b) };
  },
);

/** A member's own totals from the family pool. */
export const getMyFamilyUsage = userAction(z.object({ cycle: cycleSchema.optional() }), async ({ cycle }, { db, user, now }) => {
  const b = await getOwnFamilyUsage(db, { userId: user.id, cycle: cycle ?? cycleOf(now) });
  return { ok: true as const, usage: toView(b) };
});

export type InvitationNoticeView = InvitationNotice;

/** Open invitations to the signed-in user's phone, for the notice in the app shell. */
export const getMyFamilyInvitations = userAction(z.object({}).optional(), async (_input, { db, user, now }) => ({
  ok: true as const,
  invitations: await listInvitationNotices(db, { userId: user.id, now }),
}));

export type PayingWalletView = { kind: "personal" | "family"; role: "owner" | "member" | null; familyOwnerName: string | null; canChoose: boolean };

/** Which wallet pays for the signed-in user's chats (for the chat header chip). */
export const getMyPayingWallet = userAction(z.object({}).optional(), async (_input, { db, user, now }) => {
  const info = await getPayingWalletInfo(db, { userId: user.id, now });
  const paying: PayingWalletView = { kind: info.kind, role: info.role, familyOwnerName: info.familyOwnerName, canChoose: info.canChoose };
  return { ok: true as const, paying };
});

export const setMyPayingWallet = userAction(z.object({ paysFrom: z.enum(["family", "personal"]) }), async ({ paysFrom }, { db, user, now }) => {
  await setPayingPreference(db, { userId: user.id, paysFrom, now });
  return { ok: true as const };
});

const minute = z.number().int().min(0).max(1439);

/** The payer sets a member's controls: allowed models or economical only, daily cap, quiet hours. */
export const setFamilyMemberControls = userAction(
  z.object({
    memberUserId: id,
    allowedModels: z.array(z.string().min(1).max(200)).max(50).nullable(),
    economyOnly: z.boolean(),
    dailyCapTokens: capSchema,
    quiet: z
      .object({ startMin: minute, endMin: minute })
      .refine((q) => q.startMin !== q.endMin, "invalid_input")
      .nullable(),
  }),
  async (input, { db, user, now }) => {
    await setMemberControls(db, {
      ownerUserId: user.id,
      memberUserId: input.memberUserId,
      controls: {
        allowedModels: input.allowedModels,
        economyOnly: input.economyOnly,
        dailyCapTokens: input.dailyCapTokens === null ? null : BigInt(input.dailyCapTokens),
        quiet: input.quiet,
      },
      now,
    });
    return { ok: true as const };
  },
);

/** 问户主: a member who was refused asks the payer (in the app and by SMS). */
export const askFamilyPayer = userAction(
  z.object({ reason: z.enum(["quiet_hours", "daily_cap_reached", "model_not_allowed", "economy_only", "cap_reached"]) }),
  async (input, { db, user, now }) => {
    const r = await askPayer(db, { memberUserId: user.id, reason: input.reason, now, sms: smsSender(db), appUrl: serverOrigin() });
    return { ok: true as const, alreadyAsked: r.alreadyAsked };
  },
);

/** One tap: the payer approves a member's request — one day's extra allowance, quiet hours lifted. */
export const approveFamilyRequest = userAction(z.object({ requestId: id }), async (input, { db, user, now }) => {
  const r = await approveRequest(db, { ownerUserId: user.id, requestId: input.requestId, now });
  if (!r.ok) return fail(r.code);
  return { ok: true as const, extra: r.extra.toString() };
});
