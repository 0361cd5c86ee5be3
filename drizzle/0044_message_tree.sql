ALTER TABLE "conversation" ADD COLUMN "current_leaf_id" uuid;--> statement-breakpoint
ALTER TABLE "message" ADD COLUMN "parent_id" uuid;--> statement-breakpoint
ALTER TABLE "message" ADD CONSTRAINT "message_parent_id_message_id_fk" FOREIGN KEY ("parent_id") REFERENCES "public"."message"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "message_parent_idx" ON "message" USING btree ("parent_id");
--> statement-breakpoint
-- Existing conversations were linear: each message follows the one before it, and the newest is the branch on screen.
UPDATE "message" AS m SET "parent_id" = p."prev" FROM (
  SELECT "id", lag("id") OVER (PARTITION BY "conversation_id" ORDER BY "created_at", "role", "id") AS "prev" FROM "message"
) AS p WHERE p."id" = m."id" AND p."prev" IS NOT NULL;--> statement-breakpoint
UPDATE "conversation" AS c SET "current_leaf_id" = l."id" FROM (
  SELECT DISTINCT ON ("conversation_id") "conversation_id", "id" FROM "message" ORDER BY "conversation_id", "created_at" DESC, "role" DESC, "id" DESC
) AS l WHERE l."conversation_id" = c."id";
