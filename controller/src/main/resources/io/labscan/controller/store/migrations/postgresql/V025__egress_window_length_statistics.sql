-- PostgreSQL twin of ../V025__egress_window_length_statistics.sql (no tables, columns, keys or
-- indexes: the SQLite file changes nothing).
-- Version 25: statistics on the length of an egress window (issue 20, docs/PERFORMANCE.md
-- section 6, "Fixes: custom plans and multi-row sweep writes").
--
-- The overlap query's long-window half asks for window_end_ms - window_start_ms > 3600000 (the
-- partial index egress_long_windows of V006). PostgreSQL keeps no statistics on an expression
-- unless asked, and guessed that a third of all windows are long: on 10 million windows it
-- planned the half for a million rows, with a (parallel) hash join that read the whole hosts
-- table on every triage question (~3,000-5,000 buffers, 0.4-0.8 s at load) although the half
-- returns nothing. With these statistics it knows the long windows are few (none, usually) and
-- plans index lookups: ~110 buffers, 0.5 ms. Expression statistics exist from PostgreSQL 14 on;
-- an older server keeps the guess (the answers are the same, only slower).
DO $$
BEGIN
  IF current_setting('server_version_num')::int >= 140000 THEN
    EXECUTE 'CREATE STATISTICS egress_window_length ON (window_end_ms - window_start_ms) FROM egress_windows';
  END IF;
END
$$;

-- Gathered now (a sample of 30,000 rows: seconds even on 10 million windows), not only at
-- autovacuum's next ANALYZE of the table.
ANALYZE egress_windows;
