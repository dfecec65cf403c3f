-- PostgreSQL twin of ../V011__clock_claims.sql (same tables, columns, keys and index names; checked by
-- PostgresMigrationsMatchSqliteTest). SQLite INTEGER is 64-bit: BIGINT here; BLOB: BYTEA;
-- REAL: DOUBLE PRECISION; AUTOINCREMENT: an identity column.
-- Time is the controller's (issue #16): what an agent says about time is kept as a claim.
-- The creation time the host's newest report claimed (reports.created_ms keeps each claim).
ALTER TABLE hosts ADD COLUMN claimed_last_report_ms BIGINT;
-- The agent's clock minus the controller's at the last observation (heartbeat, or a report
-- dated after it arrived), and when that was observed.
ALTER TABLE hosts ADD COLUMN clock_skew_ms BIGINT;
ALTER TABLE hosts ADD COLUMN clock_skew_seen_ms BIGINT;
