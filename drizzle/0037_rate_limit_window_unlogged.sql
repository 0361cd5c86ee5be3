-- Rate-limit windows are counters, not money: unlogged, a request's upsert commits without
-- waiting for a WAL flush (the row lock of a busy key is held for microseconds, not an fsync).
-- After a database crash the windows start empty, which only ever admits, never overcharges.
ALTER TABLE "rate_limit_window" SET UNLOGGED;
