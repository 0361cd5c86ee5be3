import { and, count, eq, isNull, lt } from "drizzle-orm";
import type { Database } from "@/lib/db/types";
import { attachment } from "@/lib/db/schema";
import { FILE_LIMITS } from "./limits";
import { readUpload, type FileRefusal } from "./extract";
import type { AttachmentMeta, AttachmentStore } from "./storage";

/** What the browser is told about a file (its chip, the sent message's list). */
export type AttachmentView = {
  id: string;
  kind: "image" | "document";
  name: string;
  mime: string;
  byteSize: number;
  /** A document's tokens (its text as sent); an image's depend on the model (the quote counts them). */
  tokens: number;
  width: number | null;
  height: number | null;
};

export function toAttachmentView(a: AttachmentMeta): AttachmentView {
  return { id: a.id, kind: a.kind, name: a.name, mime: a.mime, byteSize: a.byteSize, tokens: a.tokens, width: a.width, height: a.height };
}

export type UploadResult =
  | { ok: true; attachment: AttachmentView }
  | { ok: false; code: FileRefusal | "invalid_name" | "too_many_files"; details?: Record<string, unknown> };

/** Files uploaded but never sent stay this long, then go with the owner's next upload. */
const UNSENT_TTL_MS = 24 * 3600 * 1000;
/** Unsent files one user may keep at once. */
const UNSENT_MAX = 24;

/** A file's name as shown: no folders, no control characters, at most FILE_LIMITS.nameChars. */
export function cleanName(raw: string): string | null {
  const base = raw.split(/[\\/]/).pop() ?? "";
  const name = base.replace(/[\u0000-\u001f\u007f]/g, "").trim();
  if (!name || name === "." || name === "..") return null;
  return [...name].length > FILE_LIMITS.nameChars ? [...name].slice(-FILE_LIMITS.nameChars).join("") : name;
}

/**
 * Stores a user's upload once it passed every check (type from the bytes, size, text layer,
 * archive size). A refused file is not stored and holds nothing.
 */
export async function uploadAttachment(
  db: Database,
  store: AttachmentStore,
  input: { userId: string; name: string; bytes: Uint8Array; now: Date },
): Promise<UploadResult> {
  const name = cleanName(input.name);
  if (!name) return { ok: false, code: "invalid_name" };
  const read = await readUpload(name, input.bytes);
  if (!read.ok) return read;
  await db
    .delete(attachment)
    .where(
      and(eq(attachment.ownerUserId, input.userId), isNull(attachment.messageId), lt(attachment.createdAt, new Date(input.now.getTime() - UNSENT_TTL_MS))),
    );
  const [pending] = await db
    .select({ n: count() })
    .from(attachment)
    .where(and(eq(attachment.ownerUserId, input.userId), isNull(attachment.messageId)));
  if ((pending?.n ?? 0) >= UNSENT_MAX) return { ok: false, code: "too_many_files", details: { limit: UNSENT_MAX } };
  const row = await store.put(db, {
    ownerUserId: input.userId,
    kind: read.kind,
    mime: read.mime,
    name,
    byteSize: input.bytes.byteLength,
    content: input.bytes,
    text: read.text,
    tokens: read.tokens,
    width: read.width,
    height: read.height,
    createdAt: input.now,
  });
  return { ok: true, attachment: toAttachmentView(row) };
}
