"use server";
import { z } from "zod";
import { userAction } from "@/lib/server/actions";
import { CONFIRM_THRESHOLD_MAX, getConfirmThresholds, setMemberConfirmThreshold, setOwnConfirmThreshold } from "@/lib/chat";

const tokensOrNull = z.union([
  z.null(),
  z
    .string()
    .regex(/^\d{1,11}$/)
    .transform((s) => BigInt(s))
    .refine((n) => n > 0n && n <= CONFIRM_THRESHOLD_MAX, { message: "invalid_threshold" }),
]);

export type ConfirmThresholdView = { self: string | null; owner: string | null; effective: string | null };

const str = (n: bigint | null) => (n === null ? null : n.toString());

/** The signed-in user's 单条确认 thresholds (their own, their family owner's, the one that applies). */
const noInput = z.object({}).optional();

export const getMyConfirmThreshold = userAction<typeof noInput, { threshold: ConfirmThresholdView }>(noInput, async (_i, { db, user }) => {
  const t = await getConfirmThresholds(db, { userId: user.id });
  return { ok: true as const, threshold: { self: str(t.self), owner: str(t.owner), effective: str(t.effective) } };
});

/** Sets or clears (null) the user's own threshold. */
export const setMyConfirmThreshold = userAction(z.object({ tokens: tokensOrNull }), async ({ tokens }, { db, user, now }) => {
  await setOwnConfirmThreshold(db, { userId: user.id, tokens, now });
  return { ok: true as const };
});

/** A family owner sets or clears a member's threshold (the session's user must own the member's family). */
export const setFamilyMemberConfirmThreshold = userAction(
  z.object({ memberUserId: z.string().uuid(), tokens: tokensOrNull }),
  async ({ memberUserId, tokens }, { db, user, now }) => {
    await setMemberConfirmThreshold(db, { ownerUserId: user.id, memberUserId, tokens, now });
    return { ok: true as const };
  },
);
