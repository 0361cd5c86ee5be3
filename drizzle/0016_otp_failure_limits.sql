CREATE TABLE "otp_failure" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"phone" text NOT NULL,
	"client" text NOT NULL,
	"purpose" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "sms_lockout" ADD COLUMN "purpose" text DEFAULT 'sign_in' NOT NULL;--> statement-breakpoint
ALTER TABLE "sms_lockout" ADD COLUMN "client" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "sms_lockout" ADD COLUMN "strikes" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "sms_lockout" DROP CONSTRAINT "sms_lockout_pkey";--> statement-breakpoint
ALTER TABLE "sms_lockout" ADD CONSTRAINT "sms_lockout_pk" PRIMARY KEY("phone","purpose","client");--> statement-breakpoint
CREATE INDEX "otp_failure_phone_idx" ON "otp_failure" USING btree ("phone","created_at");--> statement-breakpoint
CREATE INDEX "sms_code_created_idx" ON "sms_code" USING btree ("created_at");