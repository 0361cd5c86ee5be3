CREATE TABLE "dispute_ticket" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"usage_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"note" text DEFAULT '' NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"resolution" text,
	"answer" text,
	"answered_by" uuid,
	"answered_at" timestamp with time zone,
	"audit_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "dispute_ticket_answer_complete" CHECK (("dispute_ticket"."status" = 'open' AND "dispute_ticket"."resolution" IS NULL AND "dispute_ticket"."answered_at" IS NULL) OR ("dispute_ticket"."status" = 'answered' AND "dispute_ticket"."resolution" IS NOT NULL AND "dispute_ticket"."answer" IS NOT NULL AND "dispute_ticket"."answered_by" IS NOT NULL AND "dispute_ticket"."answered_at" IS NOT NULL))
);
--> statement-breakpoint
ALTER TABLE "dispute_ticket" ADD CONSTRAINT "dispute_ticket_usage_id_usage_id_fk" FOREIGN KEY ("usage_id") REFERENCES "public"."usage"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dispute_ticket" ADD CONSTRAINT "dispute_ticket_user_id_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dispute_ticket" ADD CONSTRAINT "dispute_ticket_answered_by_user_id_fk" FOREIGN KEY ("answered_by") REFERENCES "public"."user"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dispute_ticket" ADD CONSTRAINT "dispute_ticket_audit_id_audit_log_id_fk" FOREIGN KEY ("audit_id") REFERENCES "public"."audit_log"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "dispute_ticket_one_open" ON "dispute_ticket" USING btree ("usage_id") WHERE "dispute_ticket"."status" = 'open';--> statement-breakpoint
CREATE INDEX "dispute_ticket_queue_idx" ON "dispute_ticket" USING btree ("status","created_at");--> statement-breakpoint
CREATE INDEX "dispute_ticket_user_idx" ON "dispute_ticket" USING btree ("user_id","created_at");