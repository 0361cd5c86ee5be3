CREATE TABLE "support_daily_total" (
	"scope" text NOT NULL,
	"subject_id" uuid NOT NULL,
	"day" date NOT NULL,
	"total" bigint NOT NULL,
	CONSTRAINT "support_daily_total_scope_subject_id_day_pk" PRIMARY KEY("scope","subject_id","day"),
	CONSTRAINT "support_daily_total_nonneg" CHECK ("support_daily_total"."total" >= 0)
);
