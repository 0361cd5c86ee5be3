import { and, eq, inArray, isNull } from "drizzle-orm";
import type { Database } from "@/lib/db/types";
import { attachment, type Message } from "@/lib/db/schema";
import { modelImageTokens, type CatalogModel } from "@/lib/catalog";
import type { PipelineMessage } from "@/lib/completion";
import { countChatTokens } from "@/lib/metering";
import { FILE_LIMITS, attachmentMetaColumns, documentContext, type AttachmentMeta, type AttachmentStore } from "@/lib/files";

/** How an image travels until the send path loads its bytes (the quote never does). */
const PENDING_URL = "attachment:";

/** What a user message adds to the request beyond its text: documents as context, images as parts. */
export type FileParts = Pick<PipelineMessage, "content" | "parts" | "imageTokens">;

export type FilesRefusal = {
  ok: false;
  code: "attachment_not_found" | "too_many_images" | "too_many_attachments" | "model_no_images" | "attachment_too_long";
  details?: Record<string, unknown>;
};

type FileModel = Pick<CatalogModel, "name" | "providers" | "capabilities" | "limits">;

/**
 * One user message as the model reads it: each document as a `<file>` block before the text, each
 * image as an image part after it, counted at the model's image rule (the dearest of its routes).
 * A model that cannot read images gets a note naming each image instead (earlier turns only: a
 * new turn with images for such a model is refused before anything is held).
 */
export function messageWithFiles(text: string, files: readonly AttachmentMeta[], model: FileModel): FileParts {
  if (files.length === 0) return { content: text };
  const docs = files.filter((f) => f.kind === "document");
  const images = files.filter((f) => f.kind === "image");
  const blocks = docs.map((d) => documentContext(d.name, d.text ?? ""));
  if (images.length > 0 && !model.capabilities.imageInput) blocks.push(...images.map((i) => `[图片 ${i.name}]`));
  const content = blocks.length > 0 ? `${blocks.join("\n\n")}\n\n${text}` : text;
  if (images.length === 0 || !model.capabilities.imageInput) return { content };
  return {
    content,
    parts: [{ type: "text", text: content }, ...images.map((i) => ({ type: "image_url" as const, image_url: { url: `${PENDING_URL}${i.id}` } }))],
    imageTokens: images.reduce((n, i) => n + modelImageTokens(model, { width: i.width ?? 1, height: i.height ?? 1 }), 0),
  };
}

/** The owner's files of a conversation, by the message they were sent with (oldest first). */
export async function conversationFiles(db: Database, p: { userId: string; conversationId: string }): Promise<Map<string, AttachmentMeta[]>> {
  const rows = await db
    .select(attachmentMetaColumns)
    .from(attachment)
    .where(and(eq(attachment.conversationId, p.conversationId), eq(attachment.ownerUserId, p.userId)))
    .orderBy(attachment.createdAt);
  const out = new Map<string, AttachmentMeta[]>();
  for (const r of rows) if (r.messageId) out.set(r.messageId, [...(out.get(r.messageId) ?? []), r]);
  return out;
}

/**
 * The files of a turn about to be sent and the history's own, checked: each one the user's and
 * not sent yet, at most 4 images and 8 files, images only for a model that reads them. Returns the
 * stored messages with their files folded in (for chatPrompt) and the new turn's parts.
 */
export async function prepareFiles(
  db: Database,
  p: { userId: string; conversationId?: string; existing: Message[]; attachmentIds?: readonly string[]; text?: string; model: FileModel | null | undefined },
): Promise<{ ok: true; existing: (Message & Partial<FileParts>)[]; turn?: FileParts; files: AttachmentMeta[] } | FilesRefusal> {
  const ids = [...new Set(p.attachmentIds ?? [])];
  let files: AttachmentMeta[] = [];
  if (ids.length > 0) {
    if (ids.length > FILE_LIMITS.filesPerMessage) return { ok: false, code: "too_many_attachments", details: { limit: FILE_LIMITS.filesPerMessage } };
    const rows = await db
      .select(attachmentMetaColumns)
      .from(attachment)
      .where(and(inArray(attachment.id, ids), eq(attachment.ownerUserId, p.userId), isNull(attachment.messageId)));
    if (rows.length !== ids.length) return { ok: false, code: "attachment_not_found" };
    const byId = new Map(rows.map((r) => [r.id, r]));
    files = ids.map((i) => byId.get(i)!);
    const images = files.filter((f) => f.kind === "image").length;
    if (images > FILE_LIMITS.imagesPerMessage) return { ok: false, code: "too_many_images", details: { limit: FILE_LIMITS.imagesPerMessage } };
    if (images > 0 && p.model && !p.model.capabilities.imageInput) return { ok: false, code: "model_no_images", details: { model: p.model.name } };
  }
  const model = p.model;
  if (!model) return { ok: true, existing: p.existing, files };
  const history = p.conversationId && p.existing.length > 0 ? await conversationFiles(db, { userId: p.userId, conversationId: p.conversationId }) : new Map();
  const existing = p.existing.map((m) => {
    const own = history.get(m.id);
    return own ? { ...m, ...messageWithFiles(m.content, own, model) } : m;
  });
  const turn = files.length > 0 && p.text !== undefined ? messageWithFiles(p.text, files, model) : undefined;
  return { ok: true, existing, turn, files };
}

/**
 * A turn whose files would not fit the model's context even alone (with a system prompt and room
 * for a short reply) is refused with the numbers, before anything is held.
 */
export function checkTurnFits(history: PipelineMessage[], model: FileModel, reserve: number, hasFiles: boolean): { ok: true } | FilesRefusal {
  if (!hasFiles || model.limits.context <= 0) return { ok: true };
  const last = history[history.length - 1];
  if (!last) return { ok: true };
  const alone = history[0]?.role === "system" && history.length > 1 ? [history[0], last] : [last];
  const tokens = countChatTokens(alone);
  if (tokens + reserve <= model.limits.context) return { ok: true };
  return { ok: false, code: "attachment_too_long", details: { tokens, context: model.limits.context, reserve, model: model.name } };
}

/** Replaces each pending image with its bytes as a data URL: what the provider receives. */
export async function loadImages(db: Database, store: AttachmentStore, p: { userId: string; history: PipelineMessage[] }): Promise<PipelineMessage[]> {
  const out: PipelineMessage[] = [];
  for (const m of p.history) {
    if (!m.parts?.some((x) => x.type === "image_url" && x.image_url.url.startsWith(PENDING_URL))) {
      out.push(m);
      continue;
    }
    const parts = [];
    for (const x of m.parts) {
      if (x.type !== "image_url" || !x.image_url.url.startsWith(PENDING_URL)) {
        parts.push(x);
        continue;
      }
      const file = await store.get(db, { ownerUserId: p.userId, id: x.image_url.url.slice(PENDING_URL.length) });
      if (!file) continue;
      parts.push({ type: "image_url" as const, image_url: { url: `data:${file.mime};base64,${Buffer.from(file.content).toString("base64")}` } });
    }
    out.push({ ...m, parts });
  }
  return out;
}

/** Ties a sent turn's files to its user message (only the owner's, only files not sent before). */
export async function linkFiles(db: Database, p: { userId: string; ids: readonly string[]; conversationId: string; messageId: string }): Promise<void> {
  if (p.ids.length === 0) return;
  await db
    .update(attachment)
    .set({ conversationId: p.conversationId, messageId: p.messageId })
    .where(and(inArray(attachment.id, [...p.ids]), eq(attachment.ownerUserId, p.userId), isNull(attachment.messageId)));
}
