CREATE TABLE "ledger_op" (
	"idempotency_key" text PRIMARY KEY NOT NULL,
	"op" text NOT NULL,
	"params_hash" text NOT NULL,
	"result" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "hold_member_open_idx" ON "hold" USING btree ("wallet_id","user_id") WHERE "hold"."state" = 'open';--> statement-breakpoint
CREATE UNIQUE INDEX "usage_hold_uniq" ON "usage" USING btree ("hold_id");--> statement-breakpoint
CREATE UNIQUE INDEX "wallet_personal_owner_uniq" ON "wallet" USING btree ("owner_user_id") WHERE "wallet"."kind" = 'personal';--> statement-breakpoint
ALTER TABLE "hold" ADD CONSTRAINT "hold_state_consistent" CHECK (("hold"."state" = 'open') = ("hold"."resolved_at" IS NULL) AND ("hold"."state" <> 'settled' OR "hold"."settled_amount" IS NOT NULL));