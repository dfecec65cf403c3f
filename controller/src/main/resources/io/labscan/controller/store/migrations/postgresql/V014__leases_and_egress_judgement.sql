-- PostgreSQL twin of ../V014__leases_and_egress_judgement.sql (same tables, columns, keys and index names; checked by
-- PostgresMigrationsMatchSqliteTest). SQLite INTEGER is 64-bit: BIGINT here; BLOB: BYTEA;
-- REAL: DOUBLE PRECISION; AUTOINCREMENT: an identity column.
-- Version 14: DHCP lease ends, and the controller's own judgement of egress (issue #15).

-- The DHCP lease end the host's newest report gave for the address (NULL: none reported).
-- Triage ends a silent host's holding at it instead of after the grace period, bounded to
-- [last report, last report + 24 h] so that no agent can hold an address for ever with it.
ALTER TABLE host_addresses ADD COLUMN lease_end_ms BIGINT;

-- What the agent said of the window ('allowed' in the report). The 'allowed' column now holds
-- the controller's judgement under the policy it held at ingest (mail-server role, process
-- allow-list); the agent's word is kept for people only. NULL for windows stored before.
ALTER TABLE egress_windows ADD COLUMN agent_allowed BIGINT;
