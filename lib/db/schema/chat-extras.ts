import { sql } from "drizzle-orm";
import { check, index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { user } from "./auth";
import { conversation } from "./chat";

/**
 * A public, read-only link to a conversation. The token is the only key (random, unguessable);
 * the page shows the messages written up to `createdAt`, never account data or costs. Revoking
 * sets `revokedAt`: from then on the token is a 404. One live link per conversation.
 */
export const conversationShare = pgTable(
  "conversation_share",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    token: text("token").notNull().unique(),
    conversationId: uuid("conversation_id")
      .notNull()
      .references(() => conversation.id, { onDelete: "cascade" }),
    ownerUserId: uuid("owner_user_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
  },
  (t) => [uniqueIndex("conversation_share_live").on(t.conversationId).where(sql`${t.revokedAt} is null`)],
);
export type ConversationShare = typeof conversationShare.$inferSelect;

/**
 * A user's own assistant (技能包): a system prompt with a default model, sampling temperature
 * (tenths, 0–20 → 0.0–2.0), a cap on the reply and an opening line. The built-in gallery is data
 * in lib/chat/assistant-gallery.ts, not rows.
 */
export const assistant = pgTable(
  "assistant",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    ownerUserId: uuid("owner_user_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    icon: text("icon").notNull().default("✨"),
    systemPrompt: text("system_prompt").notNull(),
    modelId: text("model_id").notNull(),
    temperatureTenths: integer("temperature_tenths").notNull().default(7),
    maxOutputTokens: integer("max_output_tokens").notNull().default(2048),
    openingLine: text("opening_line").notNull().default(""),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("assistant_owner_idx").on(t.ownerUserId, t.updatedAt),
    check("assistant_temperature_range", sql`${t.temperatureTenths} between 0 and 20`),
    check("assistant_max_output_range", sql`${t.maxOutputTokens} between 1 and 32768`),
  ],
);
export type Assistant = typeof assistant.$inferSelect;
