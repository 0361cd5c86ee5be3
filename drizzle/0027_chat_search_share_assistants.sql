CREATE TABLE "assistant" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"owner_user_id" uuid NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"icon" text DEFAULT '✨' NOT NULL,
	"system_prompt" text NOT NULL,
	"model_id" text NOT NULL,
	"temperature_tenths" integer DEFAULT 7 NOT NULL,
	"max_output_tokens" integer DEFAULT 2048 NOT NULL,
	"opening_line" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "assistant_temperature_range" CHECK ("assistant"."temperature_tenths" between 0 and 20),
	CONSTRAINT "assistant_max_output_range" CHECK ("assistant"."max_output_tokens" between 1 and 32768)
);
--> statement-breakpoint
CREATE TABLE "conversation_share" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"token" text NOT NULL,
	"conversation_id" uuid NOT NULL,
	"owner_user_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "conversation_share_token_unique" UNIQUE("token")
);
--> statement-breakpoint
ALTER TABLE "conversation" ADD COLUMN "assistant_ref" text;--> statement-breakpoint
ALTER TABLE "conversation" ADD COLUMN "assistant_name" text;--> statement-breakpoint
ALTER TABLE "conversation" ADD COLUMN "system_prompt" text;--> statement-breakpoint
ALTER TABLE "conversation" ADD COLUMN "temperature_tenths" integer;--> statement-breakpoint
ALTER TABLE "conversation" ADD COLUMN "max_output_tokens" integer;--> statement-breakpoint
ALTER TABLE "assistant" ADD CONSTRAINT "assistant_owner_user_id_user_id_fk" FOREIGN KEY ("owner_user_id") REFERENCES "public"."user"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "conversation_share" ADD CONSTRAINT "conversation_share_conversation_id_conversation_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversation"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "conversation_share" ADD CONSTRAINT "conversation_share_owner_user_id_user_id_fk" FOREIGN KEY ("owner_user_id") REFERENCES "public"."user"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "assistant_owner_idx" ON "assistant" USING btree ("owner_user_id","updated_at");--> statement-breakpoint
CREATE UNIQUE INDEX "conversation_share_live" ON "conversation_share" USING btree ("conversation_id") WHERE "conversation_share"."revoked_at" is null;--> statement-breakpoint
CREATE INDEX "conversation_title_trgm" ON "conversation" USING gin ("title" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "message_content_trgm" ON "message" USING gin ("content" gin_trgm_ops);