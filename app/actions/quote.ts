"use server";
import { z } from "zod";
import { userAction } from "@/lib/server/actions";
import { MESSAGE_MAX_CHARS, getConfirmThresholds, isStorableText, quoteChat } from "@/lib/chat";
import { catalogOptions } from "@/lib/server/wiring";

const quoteSchema = z.object({
  conversationId: z.string().uuid().optional(),
  /** The message the new one would follow (the branch on screen; null: an edit of the first message). */
  parentId: z.string().uuid().nullable().optional(),
  content: z.string().refine(isStorableText, { message: "text contains a NUL character" }).pipe(z.string().trim().min(1).max(MESSAGE_MAX_CHARS)),
  modelId: z
    .string()
    .min(1)
    .max(120)
    .regex(/^[a-z0-9][a-z0-9._:/-]*$/i),
  assistant: z
    .string()
    .max(80)
    .regex(/^(builtin:[a-z0-9-]{1,40}|[0-9a-f-]{36})$/)
    .optional(),
  /** Files attached to the message: their tokens are part of the quote, as of the hold. */
  attachmentIds: z.array(z.string().uuid()).max(8).optional(),
});

export type QuoteView = {
  modelId: string;
  hold: string;
  expected: string;
  promptTokens: number;
  maxOutputTokens: number;
  typicalReplyTokens: number;
  typicalFrom: "history" | "default";
  /** The user's 单条确认 threshold, when one applies: a hold above it asks first. */
  confirmAbove: string | null;
};

/**
 * What the composer's message would cost if sent now: the exact hold the send would reserve
 * ("最多") and the cost with a reply of the user's typical length ("预计"). Only the user's own
 * conversation is read.
 */
export const quoteMyMessage = userAction<typeof quoteSchema, { quote: QuoteView }>(quoteSchema, async (input, { db, user }) => {
  const thresholds = getConfirmThresholds(db, { userId: user.id });
  thresholds.catch(() => undefined);
  const r = await quoteChat(db, {
    userId: user.id,
    conversationId: input.conversationId,
    content: input.content,
    parentId: input.conversationId ? input.parentId : undefined,
    modelId: input.modelId,
    catalog: catalogOptions(),
    assistantRef: input.conversationId ? undefined : input.assistant,
    attachmentIds: input.attachmentIds,
  });
  if (!r.ok) return { ok: false as const, code: r.code, details: "details" in r ? r.details : undefined };
  const q = r.quote;
  const quote: QuoteView = {
    modelId: q.modelId,
    hold: q.holdTokens.toString(),
    expected: q.expectedTokens.toString(),
    promptTokens: q.promptTokens,
    maxOutputTokens: q.maxOutputTokens,
    typicalReplyTokens: q.typicalReplyTokens,
    typicalFrom: q.typicalFrom,
    confirmAbove: (await thresholds).effective?.toString() ?? null,
  };
  return { ok: true as const, quote };
});
