ALTER TABLE "plan_alert" DROP CONSTRAINT "plan_alert_once";--> statement-breakpoint
ALTER TABLE "plan_alert" ADD COLUMN "member_user_id" uuid;--> statement-breakpoint
ALTER TABLE "plan_alert" ADD CONSTRAINT "plan_alert_member_user_id_user_id_fk" FOREIGN KEY ("member_user_id") REFERENCES "public"."user"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "plan_alert" ADD CONSTRAINT "plan_alert_once" UNIQUE NULLS NOT DISTINCT("wallet_id","cycle","threshold","member_user_id");