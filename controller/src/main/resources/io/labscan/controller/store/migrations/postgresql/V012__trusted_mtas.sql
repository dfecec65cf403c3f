-- PostgreSQL twin of ../V012__trusted_mtas.sql (same tables, columns, keys and index names; checked by
-- PostgresMigrationsMatchSqliteTest). SQLite INTEGER is 64-bit: BIGINT here; BLOB: BYTEA;
-- REAL: DOUBLE PRECISION; AUTOINCREMENT: an identity column.
-- Version 12: MTAs administrators trust for complaint triage (the Settings page), with an audit
-- trail, and who recorded a triage answer as evidence.

-- Entries as for --trust: an IP, a CIDR, a host name or *.domain.
CREATE TABLE trusted_mtas (
  entry_id TEXT PRIMARY KEY,
  entry TEXT NOT NULL UNIQUE,
  added_by TEXT NOT NULL,
  added_ms BIGINT NOT NULL
);

-- Every addition and removal: who, when, what.
CREATE TABLE trusted_mta_changes (
  at_ms BIGINT NOT NULL,
  username TEXT NOT NULL,
  action TEXT NOT NULL,
  entry TEXT NOT NULL
);

-- Who recorded the triage answer behind a complaint trace ('' before version 12).
ALTER TABLE complaint_traces ADD COLUMN recorded_by TEXT NOT NULL DEFAULT '';
