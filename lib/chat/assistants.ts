import { and, desc, eq } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "@/lib/db/types";
import { assistant, type Assistant } from "@/lib/db/schema";
import { DomainError } from "@/lib/core/errors";
import { countChatTokens } from "@/lib/metering";
import { isStorableText, isUuid } from "./conversations";
import { ASSISTANT_GALLERY, GALLERY_REF_PREFIX, galleryAssistant } from "./assistant-gallery";

/** The most assistants one user keeps. */
export const ASSISTANTS_MAX = 50;
export const SYSTEM_PROMPT_MAX = 8000;
/** Replies of an assistant are capped like any chat reply (CHAT_MAX_OUTPUT_TOKENS). */
export const ASSISTANT_MAX_OUTPUT = 4096;

const text = (max: number) => z.string().trim().max(max).refine(isStorableText, { message: "invalid_input" });

/** What a user may set on their own assistant (validated at the edge and again here). */
export const assistantInput = z.object({
  name: text(30).pipe(z.string().min(1)),
  description: text(120).default(""),
  /** An emoji (or a built-in icon name); empty means the default sparkles. */
  icon: z
    .string()
    .trim()
    .max(16)
    .refine((s) => !/[\p{Cc}]/u.test(s))
    .default("")
    .transform((s) => s || "sparkles"),
  systemPrompt: text(SYSTEM_PROMPT_MAX).pipe(z.string().min(1)),
  modelId: z
    .string()
    .min(1)
    .max(120)
    .regex(/^[a-z0-9][a-z0-9._:/-]*$/i),
  temperatureTenths: z.number().int().min(0).max(20),
  maxOutputTokens: z.number().int().min(64).max(ASSISTANT_MAX_OUTPUT),
  openingLine: text(500).default(""),
});
export type AssistantInput = z.input<typeof assistantInput>;

/** An assistant a chat can start from: a built-in one or the user's own, as the send path uses it. */
export type ResolvedAssistant = {
  /** "builtin:<slug>" or the row's id. */
  ref: string;
  builtin: boolean;
  /** The user's own name for their assistant; null for a built-in one (its name is a message key). */
  name: string | null;
  slug: string | null;
  icon: string;
  description: string | null;
  systemPrompt: string;
  modelId: string;
  temperatureTenths: number;
  maxOutputTokens: number;
  openingLine: string | null;
};

function fromRow(a: Assistant): ResolvedAssistant {
  return {
    ref: a.id,
    builtin: false,
    name: a.name,
    slug: null,
    icon: a.icon,
    description: a.description,
    systemPrompt: a.systemPrompt,
    modelId: a.modelId,
    temperatureTenths: a.temperatureTenths,
    maxOutputTokens: a.maxOutputTokens,
    openingLine: a.openingLine || null,
  };
}

export function builtinAssistants(): ResolvedAssistant[] {
  return ASSISTANT_GALLERY.map((g) => ({
    ref: `${GALLERY_REF_PREFIX}${g.slug}`,
    builtin: true,
    name: null,
    slug: g.slug,
    icon: g.icon,
    description: null,
    systemPrompt: g.systemPrompt,
    modelId: g.modelId,
    temperatureTenths: g.temperatureTenths,
    maxOutputTokens: g.maxOutputTokens,
    openingLine: null,
  }));
}

/** The user's own assistants, most recently changed first. */
export async function listMyAssistants(db: Database, { userId }: { userId: string }): Promise<ResolvedAssistant[]> {
  const rows = await db.select().from(assistant).where(eq(assistant.ownerUserId, userId)).orderBy(desc(assistant.updatedAt)).limit(ASSISTANTS_MAX);
  return rows.map(fromRow);
}

/**
 * A built-in assistant by "builtin:<slug>", or one of the user's own by id; null for anything
 * else — another user's assistant looks exactly like a missing one.
 */
export async function resolveAssistant(db: Database, { userId, ref }: { userId: string; ref: string }): Promise<ResolvedAssistant | null> {
  if (ref.startsWith(GALLERY_REF_PREFIX)) {
    const g = galleryAssistant(ref.slice(GALLERY_REF_PREFIX.length));
    return g ? builtinAssistants().find((b) => b.slug === g.slug)! : null;
  }
  if (!isUuid(ref)) return null;
  const [row] = await db
    .select()
    .from(assistant)
    .where(and(eq(assistant.id, ref), eq(assistant.ownerUserId, userId)))
    .limit(1);
  return row ? fromRow(row) : null;
}

export async function createAssistant(db: Database, { userId, input, now }: { userId: string; input: AssistantInput; now: Date }): Promise<ResolvedAssistant> {
  const v = assistantInput.parse(input);
  const mine = await db.$count(assistant, eq(assistant.ownerUserId, userId));
  if (mine >= ASSISTANTS_MAX) throw new DomainError("assistant_limit", "too many assistants", { max: ASSISTANTS_MAX });
  const [row] = await db
    .insert(assistant)
    .values({ ...v, ownerUserId: userId, createdAt: now, updatedAt: now })
    .returning();
  return fromRow(row!);
}

/** Changes one of the user's own assistants; chats already started from it keep what they began with. */
export async function updateAssistant(
  db: Database,
  { userId, id, input, now }: { userId: string; id: string; input: AssistantInput; now: Date },
): Promise<ResolvedAssistant> {
  const v = assistantInput.parse(input);
  if (!isUuid(id)) throw new DomainError("not_found", "assistant not found");
  const [row] = await db
    .update(assistant)
    .set({ ...v, updatedAt: now })
    .where(and(eq(assistant.id, id), eq(assistant.ownerUserId, userId)))
    .returning();
  if (!row) throw new DomainError("not_found", "assistant not found");
  return fromRow(row);
}

export async function deleteAssistant(db: Database, { userId, id }: { userId: string; id: string }): Promise<void> {
  if (!isUuid(id)) throw new DomainError("not_found", "assistant not found");
  const rows = await db
    .delete(assistant)
    .where(and(eq(assistant.id, id), eq(assistant.ownerUserId, userId)))
    .returning({ id: assistant.id });
  if (rows.length === 0) throw new DomainError("not_found", "assistant not found");
}

/** What a system prompt adds to every request's prompt, in tokens (its message and framing). */
export function systemPromptTokens(systemPrompt: string): number {
  return countChatTokens([{ role: "system", content: systemPrompt }]) - countChatTokens([]);
}
