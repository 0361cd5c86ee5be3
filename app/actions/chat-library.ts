"use server";
import { z } from "zod";
import { userAction } from "@/lib/server/actions";
import { SEARCH_QUERY_MAX, searchConversations } from "@/lib/chat/search";
import { isStorableText } from "@/lib/chat";

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
