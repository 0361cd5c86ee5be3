import { and, eq, inArray, isNull } from "drizzle-orm";
import type { Database } from "@/lib/db/types";
import { attachment, type Attachment } from "@/lib/db/schema";

/** An attachment without its bytes (what lists, chips, quotes and history need). */
export type AttachmentMeta = Omit<Attachment, "content">;

export type NewAttachment = Omit<Attachment, "id" | "createdAt" | "conversationId" | "messageId"> & { createdAt?: Date };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Where attachments live. Every read and delete names the owner: another user's id (or one that
 * is not an id) is the same `null`/`false` as a missing one, so a route answers 404 for both.
 */
export interface AttachmentStore {
  put(db: Database, file: NewAttachment): Promise<AttachmentMeta>;
  /** The file with its bytes, or null when it is not this owner's. */
  get(db: Database, p: { ownerUserId: string; id: string }): Promise<Attachment | null>;
  /** The files' metadata (the owner's only, in the order asked; unknown ids are left out). */
  list(db: Database, p: { ownerUserId: string; ids: readonly string[] }): Promise<AttachmentMeta[]>;
  /** Deletes a file not yet sent with a message; false when there is none of this owner's. */
  delete(db: Database, p: { ownerUserId: string; id: string }): Promise<boolean>;
}

/** The columns of a file's metadata (everything but its bytes), for every query that lists files. */
export const attachmentMetaColumns = {
  id: attachment.id,
  ownerUserId: attachment.ownerUserId,
  conversationId: attachment.conversationId,
  messageId: attachment.messageId,
  kind: attachment.kind,
  mime: attachment.mime,
  name: attachment.name,
  byteSize: attachment.byteSize,
  text: attachment.text,
  tokens: attachment.tokens,
  width: attachment.width,
  height: attachment.height,
  createdAt: attachment.createdAt,
};

/** The default store: the `attachment` table (bytea), on PGlite and PostgreSQL alike. */
export const databaseStore: AttachmentStore = {
  async put(db, file) {
    const [row] = await db.insert(attachment).values(file).returning(attachmentMetaColumns);
    return row!;
  },
  async get(db, { ownerUserId, id }) {
    if (!UUID.test(id)) return null;
    const [row] = await db
      .select()
      .from(attachment)
      .where(and(eq(attachment.id, id), eq(attachment.ownerUserId, ownerUserId)))
      .limit(1);
    return row ?? null;
  },
  async list(db, { ownerUserId, ids }) {
    const valid = ids.filter((i) => UUID.test(i));
    if (valid.length === 0) return [];
    const rows = await db
      .select(attachmentMetaColumns)
      .from(attachment)
      .where(and(inArray(attachment.id, valid), eq(attachment.ownerUserId, ownerUserId)));
    const byId = new Map(rows.map((r) => [r.id, r]));
    return valid.flatMap((i) => (byId.has(i) ? [byId.get(i)!] : []));
  },
  async delete(db, { ownerUserId, id }) {
    if (!UUID.test(id)) return false;
    const rows = await db
      .delete(attachment)
      .where(and(eq(attachment.id, id), eq(attachment.ownerUserId, ownerUserId), isNull(attachment.messageId)))
      .returning({ id: attachment.id });
    return rows.length > 0;
  },
};
