-- PostgreSQL twin of ../V008__web_sessions.sql (same tables, columns, keys and index names; checked by
-- PostgresMigrationsMatchSqliteTest). SQLite INTEGER is 64-bit: BIGINT here; BLOB: BYTEA;
-- REAL: DOUBLE PRECISION; AUTOINCREMENT: an identity column.
-- Version 8: web UI sessions in the database, so that a controller restart keeps users logged
-- in and a password reset, role change or removal made from the command line (another process)
-- applies to the running web server at once. Only the SHA-256 of a session id is kept: a copy
-- of the database opens no session.
CREATE TABLE web_sessions (
  id_sha256 TEXT PRIMARY KEY,
  username TEXT NOT NULL,
  csrf_token TEXT NOT NULL,
  created_ms BIGINT NOT NULL,
  last_used_ms BIGINT NOT NULL
);
CREATE INDEX web_sessions_by_user ON web_sessions(username);
