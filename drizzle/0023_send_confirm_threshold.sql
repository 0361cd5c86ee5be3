CREATE TABLE "send_confirm_threshold" (
	"user_id" uuid PRIMARY KEY NOT NULL,
	"self_tokens" bigint,
	"owner_tokens" bigint,
	"owner_wallet_id" uuid,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "send_confirm_threshold_positive" CHECK (("send_confirm_threshold"."self_tokens" IS NULL OR "send_confirm_threshold"."self_tokens" > 0) AND ("send_confirm_threshold"."owner_tokens" IS NULL OR "send_confirm_threshold"."owner_tokens" > 0))
);
--> statement-breakpoint
ALTER TABLE "send_confirm_threshold" ADD CONSTRAINT "send_confirm_threshold_user_id_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "send_confirm_threshold" ADD CONSTRAINT "send_confirm_threshold_owner_wallet_id_wallet_id_fk" FOREIGN KEY ("owner_wallet_id") REFERENCES "public"."wallet"("id") ON DELETE no action ON UPDATE no action;