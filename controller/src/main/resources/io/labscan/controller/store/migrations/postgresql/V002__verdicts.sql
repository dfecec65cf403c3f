-- PostgreSQL twin of ../V002__verdicts.sql (same tables, columns, keys and index names; checked by
-- PostgresMigrationsMatchSqliteTest). SQLite INTEGER is 64-bit: BIGINT here; BLOB: BYTEA;
-- REAL: DOUBLE PRECISION; AUTOINCREMENT: an identity column.
-- Version 2: finding severity, verdicts with history, complaint traces fed back by triage.

ALTER TABLE findings ADD COLUMN severity TEXT NOT NULL DEFAULT 'FINDING_SEVERITY_INFECTION';

-- The current verdict per host, with the reasons in plain words (JSON array).
CREATE TABLE verdicts (
  host_id TEXT PRIMARY KEY,
  verdict TEXT NOT NULL,
  since_ms BIGINT NOT NULL,
  computed_ms BIGINT NOT NULL,
  reasons TEXT NOT NULL
);

-- Every change of verdict: when a host became SUSPECTED, and why.
CREATE TABLE verdict_history (
  host_id TEXT NOT NULL,
  verdict TEXT NOT NULL,
  at_ms BIGINT NOT NULL,
  reasons TEXT NOT NULL
);
CREATE INDEX verdict_history_by_host ON verdict_history (host_id, at_ms);

-- A complaint traced to a host by triage (evidence for verdicts).
CREATE TABLE complaint_traces (
  complaint_id TEXT NOT NULL,
  host_id TEXT NOT NULL,
  confidence DOUBLE PRECISION NOT NULL,
  traced_ms BIGINT NOT NULL,
  origin_ip TEXT NOT NULL DEFAULT '',
  origin_time_ms BIGINT,
  summary TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (complaint_id, host_id)
);
CREATE INDEX complaint_traces_by_host ON complaint_traces (host_id, traced_ms);

-- Hosts whose role allows them to send mail (mail servers, relays); set by operators.
CREATE TABLE host_roles (
  host_id TEXT NOT NULL,
  role TEXT NOT NULL,
  PRIMARY KEY (host_id, role)
);
