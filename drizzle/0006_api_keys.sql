CREATE TABLE "api_key" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"name" text NOT NULL,
	"secret_hash" text NOT NULL,
	"hint" text NOT NULL,
	"models" jsonb,
	"monthly_cap_tokens" bigint,
	"expires_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "api_key_cap_nonneg" CHECK ("api_key"."monthly_cap_tokens" IS NULL OR "api_key"."monthly_cap_tokens" >= 0)
);
--> statement-breakpoint
CREATE TABLE "api_key_spend" (
	"api_key_id" uuid NOT NULL,
	"cycle" text NOT NULL,
	"used" bigint DEFAULT 0 NOT NULL,
	"held" bigint DEFAULT 0 NOT NULL,
	"requests" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "api_key_spend_api_key_id_cycle_pk" PRIMARY KEY("api_key_id","cycle"),
	CONSTRAINT "api_key_spend_used_nonneg" CHECK ("api_key_spend"."used" >= 0),
	CONSTRAINT "api_key_spend_held_nonneg" CHECK ("api_key_spend"."held" >= 0)
);
--> statement-breakpoint
ALTER TABLE "api_key" ADD CONSTRAINT "api_key_user_id_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "api_key_spend" ADD CONSTRAINT "api_key_spend_api_key_id_api_key_id_fk" FOREIGN KEY ("api_key_id") REFERENCES "public"."api_key"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "api_key_user_idx" ON "api_key" USING btree ("user_id","created_at");