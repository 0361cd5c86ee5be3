"use server";
import { z } from "zod";
import { userAction } from "@/lib/server/actions";
import { DISPUTE_NOTE_MAX, getDisputeForUsage, openDispute } from "@/lib/disputes";
import { isStorableText } from "@/lib/chat";

export type DisputeView = {
  id: string;
  status: "open" | "answered";
  resolution: "explained" | "refunded" | null;
  note: string;
  answer: string | null;
  createdAt: string;
  answeredAt: string | null;
};

type Ticket = NonNullable<Awaited<ReturnType<typeof getDisputeForUsage>>>;
const view = (t: Ticket): DisputeView => ({
  id: t.id,
  status: t.status,
  resolution: t.resolution,
  note: t.note,
  answer: t.answer,
  createdAt: t.createdAt.toISOString(),
  answeredAt: t.answeredAt?.toISOString() ?? null,
});

const byUsage = z.object({ usageId: z.string().uuid() });

/** The user's latest 申诉 on one of their own usage rows (null when none). */
export const getMyDispute = userAction<typeof byUsage, { dispute: DisputeView | null }>(byUsage, async ({ usageId }, { db, user }) => {
  const t = await getDisputeForUsage(db, { userId: user.id, usageId });
  return { ok: true as const, dispute: t ? view(t) : null };
});

const openSchema = z.object({
  usageId: z.string().uuid(),
  note: z.string().refine(isStorableText, { message: "invalid_input" }).pipe(z.string().trim().max(DISPUTE_NOTE_MAX)).default(""),
});

/** Opens a 申诉 on one of the user's own charged replies (the session's user, never the input's). */
export const openMyDispute = userAction<typeof openSchema, { dispute: DisputeView }>(openSchema, async ({ usageId, note }, { db, user, now }) => {
  const t = await openDispute(db, { userId: user.id, usageId, note, now });
  return { ok: true as const, dispute: view(t) };
});
