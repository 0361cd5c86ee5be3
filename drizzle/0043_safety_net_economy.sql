CREATE TABLE "economy_switch" (
	"wallet_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"cycle" text NOT NULL,
	"from_model_id" text NOT NULL,
	"since" timestamp with time zone NOT NULL,
	CONSTRAINT "economy_switch_wallet_id_user_id_cycle_pk" PRIMARY KEY("wallet_id","user_id","cycle")
);
--> statement-breakpoint
ALTER TABLE "safety_net" DROP CONSTRAINT "safety_net_pack";--> statement-breakpoint
ALTER TABLE "safety_net" ADD COLUMN "economy_model_id" text;--> statement-breakpoint
ALTER TABLE "economy_switch" ADD CONSTRAINT "economy_switch_wallet_id_wallet_id_fk" FOREIGN KEY ("wallet_id") REFERENCES "public"."wallet"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "economy_switch" ADD CONSTRAINT "economy_switch_user_id_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "safety_net" ADD CONSTRAINT "safety_net_economy_model" CHECK ("safety_net"."mode" <> 'economy' OR "safety_net"."economy_model_id" IS NOT NULL);--> statement-breakpoint
ALTER TABLE "safety_net" ADD CONSTRAINT "safety_net_pack" CHECK ("safety_net"."mode" = 'stop' OR ("safety_net"."pack_id" IS NOT NULL AND "safety_net"."max_packs_per_month" BETWEEN 1 AND 10));