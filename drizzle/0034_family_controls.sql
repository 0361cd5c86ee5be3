CREATE TABLE "family_control" (
	"wallet_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"allowed_models" jsonb,
	"economy_only" boolean DEFAULT false NOT NULL,
	"daily_cap_tokens" bigint,
	"quiet_start_min" integer,
	"quiet_end_min" integer,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "family_control_wallet_id_user_id_pk" PRIMARY KEY("wallet_id","user_id"),
	CONSTRAINT "family_control_daily_cap_nonneg" CHECK ("family_control"."daily_cap_tokens" IS NULL OR "family_control"."daily_cap_tokens" >= 0),
	CONSTRAINT "family_control_quiet" CHECK (("family_control"."quiet_start_min" IS NULL) = ("family_control"."quiet_end_min" IS NULL) AND ("family_control"."quiet_start_min" IS NULL OR ("family_control"."quiet_start_min" BETWEEN 0 AND 1439 AND "family_control"."quiet_end_min" BETWEEN 0 AND 1439 AND "family_control"."quiet_start_min" <> "family_control"."quiet_end_min")))
);
--> statement-breakpoint
CREATE TABLE "family_request" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"wallet_id" uuid NOT NULL,
	"member_user_id" uuid NOT NULL,
	"reason" text NOT NULL,
	"day" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"responded_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "member_day_spend" (
	"wallet_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"day" text NOT NULL,
	"used" bigint DEFAULT 0 NOT NULL,
	"held" bigint DEFAULT 0 NOT NULL,
	"extra" bigint DEFAULT 0 NOT NULL,
	"quiet_lifted" boolean DEFAULT false NOT NULL,
	CONSTRAINT "member_day_spend_wallet_id_user_id_day_pk" PRIMARY KEY("wallet_id","user_id","day"),
	CONSTRAINT "member_day_spend_nonneg" CHECK ("member_day_spend"."used" >= 0 AND "member_day_spend"."held" >= 0 AND "member_day_spend"."extra" >= 0)
);
--> statement-breakpoint
ALTER TABLE "family_control" ADD CONSTRAINT "family_control_wallet_id_wallet_id_fk" FOREIGN KEY ("wallet_id") REFERENCES "public"."wallet"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "family_control" ADD CONSTRAINT "family_control_user_id_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "family_request" ADD CONSTRAINT "family_request_wallet_id_wallet_id_fk" FOREIGN KEY ("wallet_id") REFERENCES "public"."wallet"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "family_request" ADD CONSTRAINT "family_request_member_user_id_user_id_fk" FOREIGN KEY ("member_user_id") REFERENCES "public"."user"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "member_day_spend" ADD CONSTRAINT "member_day_spend_wallet_id_wallet_id_fk" FOREIGN KEY ("wallet_id") REFERENCES "public"."wallet"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "member_day_spend" ADD CONSTRAINT "member_day_spend_user_id_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "family_request_open_uniq" ON "family_request" USING btree ("wallet_id","member_user_id","day") WHERE "family_request"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "family_request_wallet_idx" ON "family_request" USING btree ("wallet_id","created_at");