-- PostgreSQL twin of ../V003__address_ends_and_owners.sql (same tables, columns, keys and index names; checked by
-- PostgresMigrationsMatchSqliteTest). SQLite INTEGER is 64-bit: BIGINT here; BLOB: BYTEA;
-- REAL: DOUBLE PRECISION; AUTOINCREMENT: an identity column.
-- Version 3: when an address interval ended, and who uses which mail address.

-- The time of the first inventory that no longer listed the address (the interval is
-- [first_seen_ms, ended_ms)); NULL while current, or for intervals closed before version 3.
ALTER TABLE host_addresses ADD COLUMN ended_ms BIGINT;

-- Mail addresses of the people who use a host (set by operators, or learned), so triage can
-- name the claimed sender's machine.
CREATE TABLE address_owners (
  email TEXT NOT NULL,
  host_id TEXT NOT NULL,
  source TEXT NOT NULL,
  updated_ms BIGINT NOT NULL,
  PRIMARY KEY (email, host_id)
);
CREATE INDEX address_owners_by_host ON address_owners (host_id);
