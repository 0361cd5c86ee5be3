-- Trigram indexes back conversation search (Chinese substrings included). pg_trgm is a trusted
-- extension on PostgreSQL 13+: the database owner running the migrations may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
