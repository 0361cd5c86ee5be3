CREATE TABLE "auto_pack_count" (
	"wallet_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"cycle" text NOT NULL,
	"bought" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "auto_pack_count_wallet_id_user_id_cycle_pk" PRIMARY KEY("wallet_id","user_id","cycle"),
	CONSTRAINT "auto_pack_count_nonneg" CHECK ("auto_pack_count"."bought" >= 0)
);
--> statement-breakpoint
CREATE TABLE "safety_net" (
	"wallet_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"mode" text DEFAULT 'stop' NOT NULL,
	"pack_id" text,
	"max_packs_per_month" integer DEFAULT 0 NOT NULL,
	"set_by_user_id" uuid NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "safety_net_wallet_id_user_id_pk" PRIMARY KEY("wallet_id","user_id"),
	CONSTRAINT "safety_net_pack" CHECK ("safety_net"."mode" <> 'auto_pack' OR ("safety_net"."pack_id" IS NOT NULL AND "safety_net"."max_packs_per_month" BETWEEN 1 AND 10))
);
--> statement-breakpoint
ALTER TABLE "auto_pack_count" ADD CONSTRAINT "auto_pack_count_wallet_id_wallet_id_fk" FOREIGN KEY ("wallet_id") REFERENCES "public"."wallet"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "auto_pack_count" ADD CONSTRAINT "auto_pack_count_user_id_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "safety_net" ADD CONSTRAINT "safety_net_wallet_id_wallet_id_fk" FOREIGN KEY ("wallet_id") REFERENCES "public"."wallet"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "safety_net" ADD CONSTRAINT "safety_net_user_id_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "safety_net" ADD CONSTRAINT "safety_net_set_by_user_id_user_id_fk" FOREIGN KEY ("set_by_user_id") REFERENCES "public"."user"("id") ON DELETE no action ON UPDATE no action;