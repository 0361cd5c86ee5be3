ALTER TABLE "message" ADD COLUMN "draft_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "message" ADD COLUMN "stop_requested_at" timestamp with time zone;