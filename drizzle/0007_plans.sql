CREATE TABLE "carrier_charge" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"bill_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"amount_fen" bigint NOT NULL,
	"description" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"adapter" text NOT NULL,
	"result" jsonb,
	"wallet_id" uuid NOT NULL,
	"grant_key" text NOT NULL,
	"grant_tokens" bigint NOT NULL,
	"grant_kind" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"resolved_at" timestamp with time zone,
	CONSTRAINT "carrier_charge_grant_key_unique" UNIQUE("grant_key"),
	CONSTRAINT "carrier_charge_amount_nonneg" CHECK ("carrier_charge"."amount_fen" >= 0)
);
--> statement-breakpoint
CREATE TABLE "plan_alert" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"wallet_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"cycle" text NOT NULL,
	"threshold" integer NOT NULL,
	"used_tokens" bigint NOT NULL,
	"allowance_tokens" bigint NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"dismissed_at" timestamp with time zone,
	CONSTRAINT "plan_alert_once" UNIQUE("wallet_id","cycle","threshold")
);
--> statement-breakpoint
CREATE TABLE "plan_change" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"action" text NOT NULL,
	"from_tier_id" text,
	"to_tier_id" text,
	"pack_id" text,
	"charge_id" text,
	"actor_user_id" uuid,
	"reason" text,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "subscription" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"tier_id" text NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"current_cycle" text NOT NULL,
	"scheduled_action" text,
	"scheduled_tier_id" text,
	"wallet_id" uuid NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"version" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "subscription_user_id_unique" UNIQUE("user_id"),
	CONSTRAINT "subscription_scheduled_consistent" CHECK (("subscription"."scheduled_action" = 'downgrade') = ("subscription"."scheduled_tier_id" IS NOT NULL))
);
--> statement-breakpoint
ALTER TABLE "carrier_charge" ADD CONSTRAINT "carrier_charge_user_id_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "carrier_charge" ADD CONSTRAINT "carrier_charge_bill_id_bill_id_fk" FOREIGN KEY ("bill_id") REFERENCES "public"."bill"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "carrier_charge" ADD CONSTRAINT "carrier_charge_wallet_id_wallet_id_fk" FOREIGN KEY ("wallet_id") REFERENCES "public"."wallet"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "plan_alert" ADD CONSTRAINT "plan_alert_wallet_id_wallet_id_fk" FOREIGN KEY ("wallet_id") REFERENCES "public"."wallet"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "plan_alert" ADD CONSTRAINT "plan_alert_user_id_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "plan_change" ADD CONSTRAINT "plan_change_user_id_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "subscription" ADD CONSTRAINT "subscription_user_id_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "subscription" ADD CONSTRAINT "subscription_wallet_id_wallet_id_fk" FOREIGN KEY ("wallet_id") REFERENCES "public"."wallet"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "carrier_charge_user_idx" ON "carrier_charge" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE INDEX "plan_alert_user_idx" ON "plan_alert" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE INDEX "plan_change_user_idx" ON "plan_change" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE INDEX "subscription_cycle_idx" ON "subscription" USING btree ("status","current_cycle");