-- PostgreSQL twin of ../V013__identity.sql (same tables, columns, keys and index names; checked by
-- PostgresMigrationsMatchSqliteTest). SQLite INTEGER is 64-bit: BIGINT here; BLOB: BYTEA;
-- REAL: DOUBLE PRECISION; AUTOINCREMENT: an identity column.
-- Identity: tokens bound to one host, and where imported reports came from.
--
-- A token with a host_id re-enrols exactly that host (an admin's 'enroll-token --host ID', for a
-- reinstalled machine); a token without one only ever creates new hosts.
ALTER TABLE enrolment_tokens ADD COLUMN host_id TEXT NOT NULL DEFAULT '';

-- Provenance of every report stored by 'import': the file, the OS user who ran the command and
-- when. A report that arrived over gRPC has no row here.
CREATE TABLE report_imports (
  report_id TEXT PRIMARY KEY,
  host_id TEXT NOT NULL,
  file TEXT NOT NULL,
  imported_by TEXT NOT NULL,
  imported_ms BIGINT NOT NULL
);
CREATE INDEX report_imports_by_host ON report_imports (host_id, imported_ms);
