ALTER TABLE "hold" ADD COLUMN "usage_draft" jsonb;--> statement-breakpoint
ALTER TABLE "hold" ADD COLUMN "stop_requested_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "hold" ADD COLUMN "late_charged" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "hold" ADD COLUMN "shortfall" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "hold" ADD CONSTRAINT "hold_late_nonneg" CHECK ("hold"."late_charged" >= 0 AND "hold"."shortfall" >= 0);