CREATE TABLE "api_key_quota" (
	"user_id" uuid PRIMARY KEY NOT NULL,
	"active" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "api_key_quota_active_nonneg" CHECK ("api_key_quota"."active" >= 0)
);
--> statement-breakpoint
ALTER TABLE "api_key_quota" ADD CONSTRAINT "api_key_quota_user_id_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."user"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
-- Keys that exist count from the start.
INSERT INTO "api_key_quota" ("user_id", "active")
SELECT "user_id", count(*) FROM "api_key" WHERE "revoked_at" IS NULL GROUP BY "user_id";
