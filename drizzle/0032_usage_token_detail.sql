ALTER TABLE "usage" ADD COLUMN "tokens_cached" integer;--> statement-breakpoint
ALTER TABLE "usage" ADD COLUMN "tokens_reasoning" integer;--> statement-breakpoint
ALTER TABLE "usage" ADD CONSTRAINT "usage_token_detail_nonneg" CHECK (coalesce("usage"."tokens_cached", 0) >= 0 AND coalesce("usage"."tokens_reasoning", 0) >= 0);