import { and, asc, eq, exists } from "drizzle-orm";
import type { Database } from "@/lib/db/types";
import { conversation, message, type Message } from "@/lib/db/schema";
import { DomainError } from "@/lib/core/errors";
import { currentLeaf, pathTo } from "./branches";
import { findConversation, isUuid } from "./conversations";

/**
 * Where a send attaches in a conversation's tree and the path its history follows.
 * `parentId`: the message the new one follows as the client names it — undefined for the end of
 * the branch on screen (the stored current leaf), null for a new first message (an edit of the
 * first question). When regenerating, the reply answers the last user message at or above it.
 */
export type BranchPoint =
  | {
      ok: true;
      /** From the first message down to what the new message (or regenerated reply) follows. */
      path: Message[];
      /** The new user message's parent (null: a first message); for a regenerate, the reply's. */
      parentId: string | null;
    }
  | { ok: false; code: "not_found" | "nothing_to_regenerate" | "invalid_input" };

/**
 * Resolves a send's place in the tree from the conversation's own messages only: a parent id of
 * another conversation or user is `not_found`, exactly like an unknown one.
 */
export function branchPoint(
  all: Message[],
  { storedLeaf, parentId, regenerate }: { storedLeaf: string | null; parentId: string | null | undefined; regenerate?: boolean },
): BranchPoint {
  let at: string | null;
  if (parentId === undefined) at = currentLeaf(all, storedLeaf);
  else if (parentId === null) at = null;
  else {
    if (!all.some((m) => m.id === parentId)) return { ok: false, code: "not_found" };
    at = parentId;
  }
  const path = pathTo(all, at);
  if (!regenerate) return { ok: true, path, parentId: at };
  if (parentId === null) return { ok: false, code: "invalid_input" };
  const lastUser = path.findLastIndex((m) => m.role === "user");
  if (lastUser < 0) return { ok: false, code: "nothing_to_regenerate" };
  return { ok: true, path: path.slice(0, lastUser + 1), parentId: path[lastUser]!.id };
}

/** Every message of the user's conversation (all branches, creation order) and the leaf on screen. */
export async function loadConversationTree(
  db: Database,
  { userId, conversationId }: { userId: string; conversationId: string },
): Promise<{ messages: Message[]; leafId: string | null }> {
  const c = await findConversation(db, { userId, conversationId });
  if (!c) throw new DomainError("not_found", "conversation not found");
  const messages = await db
    .select()
    .from(message)
    .where(and(eq(message.conversationId, c.id), eq(message.ownerUserId, userId)))
    .orderBy(asc(message.createdAt), asc(message.role));
  return { messages, leafId: currentLeaf(messages, c.currentLeafId) };
}

/** The branch on screen: the path from the first message to the current leaf. */
export async function currentBranch(db: Database, input: { userId: string; conversationId: string }): Promise<Message[]> {
  const { messages, leafId } = await loadConversationTree(db, input);
  return pathTo(messages, leafId);
}

/**
 * Remembers which branch is on screen (‹ › switched to it): the next visit opens on it. Only a
 * message of the user's own conversation can be chosen; anything else is `not_found`.
 */
export async function selectBranch(
  db: Database,
  { userId, conversationId, leafId }: { userId: string; conversationId: string; leafId: string },
): Promise<void> {
  if (!isUuid(conversationId) || !isUuid(leafId)) throw new DomainError("not_found", "message not found");
  const updated = await db
    .update(conversation)
    .set({ currentLeafId: leafId })
    .where(
      and(
        eq(conversation.id, conversationId),
        eq(conversation.ownerUserId, userId),
        // The leaf must be this conversation's, checked in the same statement.
        exists(
          db
            .select({ id: message.id })
            .from(message)
            .where(and(eq(message.id, leafId), eq(message.conversationId, conversationId), eq(message.ownerUserId, userId))),
        ),
      ),
    )
    .returning({ id: conversation.id });
  if (updated.length === 0) throw new DomainError("not_found", "message not found");
}
