-- PostgreSQL twin of ../V004__trust.sql (same tables, columns, keys and index names; checked by
-- PostgresMigrationsMatchSqliteTest). SQLite INTEGER is 64-bit: BIGINT here; BLOB: BYTEA;
-- REAL: DOUBLE PRECISION; AUTOINCREMENT: an identity column.
-- Version 3: enrolment tokens, issued agent certificates, revoked hosts.

-- Enrolment tokens. Only the SHA-256 of the secret is kept: a copy of the database does not
-- let anyone enrol. The token id is public (it names the token in logs).
CREATE TABLE enrolment_tokens (
  token_id TEXT PRIMARY KEY,
  secret_sha256 TEXT NOT NULL,
  lab TEXT NOT NULL DEFAULT '',
  created_ms BIGINT NOT NULL,
  expires_ms BIGINT NOT NULL,
  uses_total BIGINT NOT NULL,
  uses_left BIGINT NOT NULL
);

-- How a host enrolled: the token it used, the lab that token assigned (authoritative over
-- the lab the agent reports about itself), and the certificate it was issued last.
CREATE TABLE host_enrolments (
  host_id TEXT PRIMARY KEY,
  lab TEXT NOT NULL DEFAULT '',
  token_id TEXT NOT NULL,
  certificate_serial TEXT NOT NULL,
  certificate_not_after_ms BIGINT NOT NULL,
  enrolled_ms BIGINT NOT NULL
);

-- Hosts whose certificates are no longer accepted.
CREATE TABLE revoked_hosts (
  host_id TEXT PRIMARY KEY,
  revoked_ms BIGINT NOT NULL,
  reason TEXT NOT NULL DEFAULT ''
);
