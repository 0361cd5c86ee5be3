import { and, asc, desc, eq, inArray } from "drizzle-orm";
import type { Database } from "@/lib/db/types";
import { conversation, message, type Conversation, type Message } from "@/lib/db/schema";
import { DomainError } from "@/lib/core/errors";

export const TITLE_MAX = 60;
export const MESSAGE_MAX_CHARS = 20_000;

/** PostgreSQL text cannot hold a NUL character; such text is refused before anything happens. */
export function isStorableText(text: string): boolean {
  return !text.includes("\u0000");
}

/** A first line short enough for the conversation list. */
export function titleFrom(text: string): string {
  const line = text.replace(/\s+/g, " ").trim();
  if (!line) return "";
  return line.length > 24 ? `${line.slice(0, 24)}…` : line;
}

export async function createConversation(
  db: Database,
  { userId, title, modelId, now }: { userId: string; title: string; modelId?: string; now: Date },
): Promise<Conversation> {
  const [c] = await db
    .insert(conversation)
    .values({ ownerUserId: userId, title: title.slice(0, TITLE_MAX), modelId, createdAt: now, updatedAt: now })
    .returning();
  return c!;
}

/** The user's conversations, most recently active first. */
export async function listConversations(db: Database, { userId, limit = 100 }: { userId: string; limit?: number }) {
  return db
    .select({ id: conversation.id, title: conversation.title, modelId: conversation.modelId, updatedAt: conversation.updatedAt })
    .from(conversation)
    .where(eq(conversation.ownerUserId, userId))
    .orderBy(desc(conversation.updatedAt))
    .limit(limit);
}

/** The conversation if `userId` owns it, else null (another user's id looks like a missing one). */
export async function findConversation(db: Database, { userId, conversationId }: { userId: string; conversationId: string }): Promise<Conversation | null> {
  if (!isUuid(conversationId)) return null;
  const [c] = await db
    .select()
    .from(conversation)
    .where(and(eq(conversation.id, conversationId), eq(conversation.ownerUserId, userId)))
    .limit(1);
  return c ?? null;
}

/** Like findConversation, but a miss is a `not_found` domain error. */
export async function requireConversation(db: Database, input: { userId: string; conversationId: string }): Promise<Conversation> {
  const c = await findConversation(db, input);
  if (!c) throw new DomainError("not_found", "conversation not found");
  return c;
}

export async function renameConversation(
  db: Database,
  { userId, conversationId, title }: { userId: string; conversationId: string; title: string },
): Promise<void> {
  await requireConversation(db, { userId, conversationId });
  await db
    .update(conversation)
    .set({ title: title.trim().slice(0, TITLE_MAX) })
    .where(and(eq(conversation.id, conversationId), eq(conversation.ownerUserId, userId)));
}

/** Deletes a conversation and its messages; usage rows stay (they are the bill's evidence). */
export async function deleteConversation(db: Database, { userId, conversationId }: { userId: string; conversationId: string }): Promise<void> {
  await requireConversation(db, { userId, conversationId });
  await db.delete(message).where(and(eq(message.conversationId, conversationId), eq(message.ownerUserId, userId)));
  await db.delete(conversation).where(and(eq(conversation.id, conversationId), eq(conversation.ownerUserId, userId)));
}

export async function listMessages(db: Database, { userId, conversationId }: { userId: string; conversationId: string }): Promise<Message[]> {
  return db
    .select()
    .from(message)
    .where(and(eq(message.conversationId, conversationId), eq(message.ownerUserId, userId)))
    .orderBy(asc(message.createdAt), asc(message.role));
}

export async function touchConversation(db: Database, { conversationId, modelId, now }: { conversationId: string; modelId: string; now: Date }): Promise<void> {
  await db.update(conversation).set({ updatedAt: now, modelId }).where(eq(conversation.id, conversationId));
}

export async function deleteMessages(db: Database, { userId, ids }: { userId: string; ids: string[] }): Promise<void> {
  if (ids.length === 0) return;
  await db.delete(message).where(and(inArray(message.id, ids), eq(message.ownerUserId, userId)));
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export function isUuid(s: string): boolean {
  return UUID.test(s);
}
