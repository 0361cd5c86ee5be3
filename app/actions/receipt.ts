"use server";
import { z } from "zod";
import { userAction } from "@/lib/server/actions";
import { conversationTotal, getReceipt } from "@/lib/billing/receipt";

export type ReceiptView = {
  usageId: string;
  messageId: string;
  createdAt: string;
  modelId: string;
  modelName: string;
  providerRoute: string;
  routeAttempts: { provider: string; outcome: string; ms: number; status?: number }[] | null;
  tokensIn: number;
  tokensCached: number | null;
  tokensReasoning: number | null;
  tokensOut: number;
  weightInMicro: string;
  weightOutMicro: string;
  planTokens: string;
  usageSource: "provider" | "counted" | "none";
  status: "ok" | "interrupted" | "aborted" | "error";
  refundedAt: string | null;
  basis: { kind: "tier" | "pack"; id: string; priceFen: string; tokens: string };
  valueE4: string;
};

const byMessage = z.object({ messageId: z.string().uuid() });

/** The receipt of one of the user's replies (its usage row); not_found for anything else. */
export const getMyReceipt = userAction<typeof byMessage, { receipt: ReceiptView }>(byMessage, async ({ messageId }, { db, user }) => {
  const r = await getReceipt(db, { userId: user.id, messageId });
  if (!r) return { ok: false as const, code: "not_found" };
  const { conversationId: _conversation, ...rest } = r;
  const receipt: ReceiptView = {
    ...rest,
    createdAt: r.createdAt.toISOString(),
    weightInMicro: r.weightInMicro.toString(),
    weightOutMicro: r.weightOutMicro.toString(),
    planTokens: r.planTokens.toString(),
    refundedAt: r.refundedAt?.toISOString() ?? null,
    basis: { ...r.basis, priceFen: r.basis.priceFen.toString(), tokens: r.basis.tokens.toString() },
    valueE4: r.valueE4.toString(),
  };
  return { ok: true as const, receipt };
});

const byConversation = z.object({ conversationId: z.string().uuid() });

/** What the user's conversation has cost so far (plan tokens, refunds excluded). */
export const getMyConversationTotal = userAction<typeof byConversation, { total: string }>(byConversation, async ({ conversationId }, { db, user }) => {
  return { ok: true as const, total: (await conversationTotal(db, { userId: user.id, conversationId })).toString() };
});
