import { check, customType, index, integer, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { sql } from "drizzle-orm";
import { user } from "./auth";
import { conversation, message } from "./chat";

/** Raw bytes: PGlite gives a Uint8Array, node-postgres and Neon a Buffer; both are Uint8Arrays. */
const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({
  dataType: () => "bytea",
  toDriver: (v) => (Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength)),
  fromDriver: (v) => (typeof v === "string" ? Buffer.from((v as string).replace(/^\\x/, ""), "hex") : v),
});

/**
 * A file a user attached to a chat message: an image (sent to the model as an image part) or a
 * document (its extracted text sent as context). Uploaded before the message is sent
 * (`messageId` null), linked to the user message when it is. Only its owner may read it.
 */
export const attachment = pgTable(
  "attachment",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    ownerUserId: uuid("owner_user_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    conversationId: uuid("conversation_id").references(() => conversation.id, { onDelete: "cascade" }),
    messageId: uuid("message_id").references(() => message.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: ["image", "document"] }).notNull(),
    /** The type sniffed from the bytes (never the browser's say-so). */
    mime: text("mime").notNull(),
    name: text("name").notNull(),
    byteSize: integer("byte_size").notNull(),
    content: bytea("content").notNull(),
    /** A document's extracted text (what the model reads). */
    text: text("text"),
    /** A document's text tokens (o200k); 0 for an image (its tokens depend on the model). */
    tokens: integer("tokens").notNull().default(0),
    width: integer("width"),
    height: integer("height"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("attachment_owner_idx").on(t.ownerUserId, t.createdAt),
    index("attachment_message_idx").on(t.messageId),
    index("attachment_conversation_idx").on(t.conversationId),
    check("attachment_size_positive", sql`${t.byteSize} > 0`),
    check("attachment_tokens_nonneg", sql`${t.tokens} >= 0`),
  ],
);
export type Attachment = typeof attachment.$inferSelect;
