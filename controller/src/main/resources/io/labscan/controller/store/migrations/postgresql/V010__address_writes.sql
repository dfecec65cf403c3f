-- PostgreSQL twin of ../V010__address_writes.sql (same tables, columns, keys and index names; checked by
-- PostgresMigrationsMatchSqliteTest). SQLite INTEGER is 64-bit: BIGINT here; BLOB: BYTEA;
-- REAL: DOUBLE PRECISION; AUTOINCREMENT: an identity column.
-- Version 10: address history written in O(addresses) (issue #16).

-- Each report extends or closes a host's current address intervals one by one
-- ("... WHERE host_id = ? AND ip = ? AND is_current = 1"). host_addresses_by_host
-- (host_id, is_current) made each of those statements walk every current address of the
-- host: O(n^2) rows for n addresses on the single writer. This partial index finds the one
-- row directly.
CREATE INDEX host_addresses_current ON host_addresses (host_id, ip) WHERE is_current = 1;
