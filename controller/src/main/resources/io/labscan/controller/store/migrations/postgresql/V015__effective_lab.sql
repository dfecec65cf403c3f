-- PostgreSQL twin of ../V015__effective_lab.sql (same tables, columns, keys and index names; checked by
-- PostgresMigrationsMatchSqliteTest). SQLite INTEGER is 64-bit: BIGINT here; BLOB: BYTEA;
-- REAL: DOUBLE PRECISION; AUTOINCREMENT: an identity column.
-- The effective lab, computed once and stored on the host.
--
-- A host's lab is decided by the operators' lab rules (first match wins), else by the lab its
-- agent or enrolment token names, else it is unassigned. The fleet service computes it when a
-- report arrives, when the rules change and when the controller starts, and stores it here; every
-- reader (the 'hosts' command, the Hosts page and its export, campaigns, compliance) reads it
-- instead of deciding again. NULL: not computed yet (readers then use the agent's lab).
ALTER TABLE hosts ADD COLUMN effective_lab TEXT;
-- rule, agent or none
ALTER TABLE hosts ADD COLUMN lab_source TEXT;
-- the matching rule's id, '' unless lab_source is 'rule'
ALTER TABLE hosts ADD COLUMN lab_rule_id TEXT;
