import { sql } from "drizzle-orm";
import { bigint, index, integer, pgTable, text, timestamp, unique, uuid, type AnyPgColumn } from "drizzle-orm/pg-core";
import { user } from "./auth";
import { usage } from "./ledger";

/** One chat thread of one subscriber; only its owner may read or change it. */
export const conversation = pgTable(
  "conversation",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    ownerUserId: uuid("owner_user_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    title: text("title").notNull(),
    /** The model the composer starts with when the thread is reopened (last one used). */
    modelId: text("model_id"),
    /**
     * The assistant (技能包) the thread was started from, copied at the start so editing or
     * deleting the assistant never changes what an existing thread sends: its system prompt,
     * sampling temperature (tenths) and reply cap. `assistantRef` names it for display
     * ("builtin:<slug>" or an assistant row's id).
     */
    assistantRef: text("assistant_ref"),
    assistantName: text("assistant_name"),
    systemPrompt: text("system_prompt"),
    temperatureTenths: integer("temperature_tenths"),
    maxOutputTokens: integer("max_output_tokens"),
    /**
     * The last message of the branch on screen (messages form a tree: edits and regenerated
     * replies are siblings). Reopening shows the path from the root to it; null: the newest message.
     */
    currentLeafId: uuid("current_leaf_id"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("conversation_owner_idx").on(t.ownerUserId, t.updatedAt),
    // Search by title, Chinese substrings included (pg_trgm; migration 0026 creates the extension).
    index("conversation_title_trgm").using("gin", t.title.op("gin_trgm_ops")),
  ],
);
export type Conversation = typeof conversation.$inferSelect;

/**
 * One turn. A user message and the assistant reply it asked for share the client's request id
 * (the idempotency key of the send), so a retried send never stores or charges twice. Messages
 * form a tree through `parentId`: an edited message is a sibling of the original (same parent),
 * a regenerated reply a sibling of the earlier reply; a conversation's first messages have none.
 */
export const message = pgTable(
  "message",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    conversationId: uuid("conversation_id")
      .notNull()
      .references(() => conversation.id, { onDelete: "cascade" }),
    ownerUserId: uuid("owner_user_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    /** The message this one follows on its branch (null for a first message). */
    parentId: uuid("parent_id").references((): AnyPgColumn => message.id, { onDelete: "cascade" }),
    role: text("role", { enum: ["user", "assistant"] }).notNull(),
    content: text("content").notNull(),
    /** The model that wrote (assistant) or was asked (user) — each message may use another. */
    modelId: text("model_id").notNull(),
    /** "streaming" while the reply is still being generated (its content is the text so far). */
    status: text("status", { enum: ["ok", "interrupted", "error", "streaming"] })
      .notNull()
      .default("ok"),
    /** Why a reply failed or stopped (upstream error code, "stopped"). */
    errorCode: text("error_code"),
    /** 放心用 served this reply on the payer's economical model (`modelId`) instead of this one, the model asked for. */
    switchedFromModelId: text("switched_from_model_id"),
    requestId: text("request_id").notNull(),
    usageId: uuid("usage_id").references(() => usage.id),
    /** Plan tokens charged for this reply (copied from the usage row for display). */
    planTokens: bigint("plan_tokens", { mode: "bigint" }),
    tokensOut: integer("tokens_out"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().default(sql`clock_timestamp()`),
    /** When a streaming reply's text so far was last written (by the process that runs it). */
    draftAt: timestamp("draft_at", { withTimezone: true }),
    /** Stop asked for a streaming reply (from any device): its process stops it at its next draft. */
    stopRequestedAt: timestamp("stop_requested_at", { withTimezone: true }),
  },
  (t) => [
    index("message_conversation_idx").on(t.conversationId, t.createdAt),
    index("message_owner_idx").on(t.ownerUserId),
    index("message_parent_idx").on(t.parentId),
    // Search by content (ILIKE '%…%'), Chinese substrings included.
    index("message_content_trgm").using("gin", t.content.op("gin_trgm_ops")),
    unique("message_request_role").on(t.requestId, t.role),
  ],
);
export type Message = typeof message.$inferSelect;
