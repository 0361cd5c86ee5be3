ALTER TABLE "dispute_ticket" DROP CONSTRAINT "dispute_ticket_audit_id_audit_log_id_fk";
