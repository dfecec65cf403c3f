-- PostgreSQL twin of ../V007__certificate_renewal.sql (same tables, columns, keys and index names; checked by
-- PostgresMigrationsMatchSqliteTest). SQLite INTEGER is 64-bit: BIGINT here; BLOB: BYTEA;
-- REAL: DOUBLE PRECISION; AUTOINCREMENT: an identity column.
-- Version 7: agent certificate renewal.
--
-- A renewal replaces the host's current certificate with one for a new key. The replaced
-- certificate's serial is kept so that an agent whose answer was lost can ask again (with
-- the same new key, whose SHA-256 is kept too), while a replaced certificate can never renew
-- for a key of its own: a stolen old key cannot outlive the renewal.
ALTER TABLE host_enrolments ADD COLUMN previous_certificate_serial TEXT NOT NULL DEFAULT '';
ALTER TABLE host_enrolments ADD COLUMN certificate_key_sha256 TEXT NOT NULL DEFAULT '';
ALTER TABLE host_enrolments ADD COLUMN renewed_ms BIGINT NOT NULL DEFAULT 0;
