"use server";
import { z } from "zod";
import { userAction } from "@/lib/server/actions";
import { SEARCH_QUERY_MAX, searchConversations } from "@/lib/chat/search";
import { isStorableText } from "@/lib/chat";
import { getShare, revokeShare, shareConversation } from "@/lib/chat/share";

/** Searches the signed-in user's own conversations (titles and message text). */
export const searchMyConversations = userAction(
  z.object({
    query: z
      .string()
      .max(SEARCH_QUERY_MAX * 4)
      .refine(isStorableText),
  }),
  async ({ query }, { db, user }) => {
    const hits = await searchConversations(db, { userId: user.id, query });
    return {
      ok: true as const,
      hits: hits.map((h) => ({ ...h, updatedAt: h.updatedAt.toISOString() })),
    };
  },
);

const conversationRef = z.object({ conversationId: z.string().uuid() });

/** The conversation's live public link, or null (owner only; a foreign id is `not_found`). */
export const getMyShare = userAction(conversationRef, async ({ conversationId }, { db, user }) => {
  const s = await getShare(db, { userId: user.id, conversationId });
  return { ok: true as const, token: s?.token ?? null };
});

/** Creates (or returns) the conversation's read-only public link. */
export const shareMyConversation = userAction(conversationRef, async ({ conversationId }, { db, user, now }) => {
  const s = await shareConversation(db, { userId: user.id, conversationId, now });
  return { ok: true as const, token: s.token };
});

/** Revokes the conversation's public link at once. */
export const revokeMyShare = userAction(conversationRef, async ({ conversationId }, { db, user, now }) => {
  await revokeShare(db, { userId: user.id, conversationId, now });
  return { ok: true as const };
});
