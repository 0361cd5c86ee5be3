CREATE TABLE "family_route_preference" (
	"wallet_id" uuid PRIMARY KEY NOT NULL,
	"only" jsonb,
	"ignore" jsonb,
	"sort" text,
	"updated_by" uuid NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "family_route_preference" ADD CONSTRAINT "family_route_preference_wallet_id_wallet_id_fk" FOREIGN KEY ("wallet_id") REFERENCES "public"."wallet"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "family_route_preference" ADD CONSTRAINT "family_route_preference_updated_by_user_id_fk" FOREIGN KEY ("updated_by") REFERENCES "public"."user"("id") ON DELETE no action ON UPDATE no action;