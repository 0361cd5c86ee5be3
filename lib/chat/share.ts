import { randomBytes } from "node:crypto";
import { and, asc, eq, isNull } from "drizzle-orm";
import type { Database } from "@/lib/db/types";
import { conversation, conversationShare, message } from "@/lib/db/schema";
import { requireConversation } from "./conversations";
import { currentLeaf, pathTo } from "./branches";

/** 24 random bytes, base64url: 32 characters, 192 bits — not guessable, not enumerable. */
const TOKEN = /^[A-Za-z0-9_-]{32}$/;
export function newShareToken(): string {
  return randomBytes(24).toString("base64url");
}

export type ShareStatus = { token: string; createdAt: Date } | null;

/** The conversation's live link, if it has one (owner only; a foreign id is `not_found`). */
export async function getShare(db: Database, { userId, conversationId }: { userId: string; conversationId: string }): Promise<ShareStatus> {
  await requireConversation(db, { userId, conversationId });
  const [s] = await db
    .select({ token: conversationShare.token, createdAt: conversationShare.createdAt })
    .from(conversationShare)
    .where(and(eq(conversationShare.conversationId, conversationId), eq(conversationShare.ownerUserId, userId), isNull(conversationShare.revokedAt)))
    .limit(1);
  return s ?? null;
}

/**
 * Shares a conversation read-only: returns its live link, creating one when it has none (a
 * conversation has at most one live link; two concurrent calls get the same one). The link shows
 * the messages written up to now, never later ones.
 */
export async function shareConversation(
  db: Database,
  { userId, conversationId, now }: { userId: string; conversationId: string; now: Date },
): Promise<{ token: string; createdAt: Date }> {
  const existing = await getShare(db, { userId, conversationId });
  if (existing) return existing;
  const [created] = await db
    .insert(conversationShare)
    .values({ token: newShareToken(), conversationId, ownerUserId: userId, createdAt: now })
    .onConflictDoNothing()
    .returning({ token: conversationShare.token, createdAt: conversationShare.createdAt });
  if (created) return created;
  const raced = await getShare(db, { userId, conversationId });
  if (!raced) throw new Error("share vanished");
  return raced;
}

/** Revokes the conversation's live link at once: its token answers 404 from the next request on. */
export async function revokeShare(db: Database, { userId, conversationId, now }: { userId: string; conversationId: string; now: Date }): Promise<boolean> {
  await requireConversation(db, { userId, conversationId });
  const rows = await db
    .update(conversationShare)
    .set({ revokedAt: now })
    .where(and(eq(conversationShare.conversationId, conversationId), eq(conversationShare.ownerUserId, userId), isNull(conversationShare.revokedAt)))
    .returning({ id: conversationShare.id });
  return rows.length > 0;
}

export type SharedMessage = { role: "user" | "assistant"; content: string; modelId: string };
export type SharedConversation = { title: string; sharedAt: Date; messages: SharedMessage[] };

/**
 * What a public link shows: the title and the turns written before it was shared. Nothing about
 * the account (no phone, name, ids) and nothing about cost. A revoked, malformed or unknown token
 * is null (a 404).
 */
export async function readSharedConversation(db: Database, token: string): Promise<SharedConversation | null> {
  if (!TOKEN.test(token)) return null;
  const [s] = await db
    .select({
      conversationId: conversationShare.conversationId,
      ownerUserId: conversationShare.ownerUserId,
      sharedAt: conversationShare.createdAt,
      title: conversation.title,
      leafId: conversation.currentLeafId,
    })
    .from(conversationShare)
    .innerJoin(conversation, and(eq(conversation.id, conversationShare.conversationId), eq(conversation.ownerUserId, conversationShare.ownerUserId)))
    .where(and(eq(conversationShare.token, token), isNull(conversationShare.revokedAt)))
    .limit(1);
  if (!s) return null;
  const all = await db
    .select({
      id: message.id,
      parentId: message.parentId,
      role: message.role,
      content: message.content,
      modelId: message.modelId,
      status: message.status,
      createdAt: message.createdAt,
    })
    .from(message)
    .where(and(eq(message.conversationId, s.conversationId), eq(message.ownerUserId, s.ownerUserId)))
    .orderBy(asc(message.createdAt), asc(message.role));
  // The branch on screen, as far as it was written when the link was made; never other branches.
  const rows = pathTo(all, currentLeaf(all, s.leafId)).filter((m) => m.createdAt <= s.sharedAt);
  return {
    title: s.title,
    sharedAt: s.sharedAt,
    messages: rows.filter((m) => m.content.length > 0).map(({ role, content, modelId }) => ({ role, content, modelId })),
  };
}
