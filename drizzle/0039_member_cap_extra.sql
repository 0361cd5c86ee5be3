ALTER TABLE "member_spend" ADD COLUMN "cap_extra" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "member_day_spend" ADD COLUMN "models_lifted" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "member_spend" ADD CONSTRAINT "member_spend_cap_extra_nonneg" CHECK ("member_spend"."cap_extra" >= 0);