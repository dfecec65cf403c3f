-- PostgreSQL twin of ../V005__dashboard.sql (same tables, columns, keys and index names; checked by
-- PostgresMigrationsMatchSqliteTest). SQLite INTEGER is 64-bit: BIGINT here; BLOB: BYTEA;
-- REAL: DOUBLE PRECISION; AUTOINCREMENT: an identity column.
-- Version 4: the operator web UI: users, lab rules, scan campaigns, daily compliance snapshots.

-- People who may use the web UI. password_hash is a bcrypt hash ($2a$, cost >= 10).
-- role: 'viewer' (reads everything) or 'admin' (also triage, campaigns, lab rules).
CREATE TABLE users (
  username TEXT PRIMARY KEY,
  password_hash TEXT NOT NULL,
  role TEXT NOT NULL,
  created_ms BIGINT NOT NULL,
  last_login_ms BIGINT
);

-- Controller-side lab assignment, tried in position order; the first match wins over the
-- lab named in the agent's configuration. kind: 'hostname' (glob, * and ?) or 'cidr'.
CREATE TABLE lab_rules (
  rule_id TEXT PRIMARY KEY,
  position BIGINT NOT NULL,
  lab TEXT NOT NULL,
  kind TEXT NOT NULL,
  pattern TEXT NOT NULL,
  created_ms BIGINT NOT NULL
);

-- Scan campaigns: "full scan of lab X (or of every host, lab '') on this Quartz cron
-- schedule", or on demand only (cron '').
CREATE TABLE campaigns (
  campaign_id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  lab TEXT NOT NULL DEFAULT '',
  cron TEXT NOT NULL DEFAULT '',
  time_zone TEXT NOT NULL DEFAULT 'UTC',
  created_by TEXT NOT NULL,
  created_ms BIGINT NOT NULL
);

-- Each time a campaign fired, and who fired it ('schedule' or a username).
CREATE TABLE campaign_runs (
  run_id TEXT PRIMARY KEY,
  campaign_id TEXT NOT NULL,
  fired_ms BIGINT NOT NULL,
  fired_by TEXT NOT NULL
);
CREATE INDEX campaign_runs_by_campaign ON campaign_runs (campaign_id, fired_ms);

-- The hosts a run targeted; delivered_ms stays NULL while the host is offline, and is set
-- when the command reaches it (at once, or when it reconnects).
CREATE TABLE campaign_targets (
  run_id TEXT NOT NULL,
  host_id TEXT NOT NULL,
  command_id TEXT NOT NULL,
  delivered_ms BIGINT,
  PRIMARY KEY (run_id, host_id)
);
CREATE INDEX campaign_targets_by_host ON campaign_targets (host_id, delivered_ms);

-- Compliance per lab once a day (the last snapshot of a UTC day wins), for the trend chart.
CREATE TABLE compliance_snapshots (
  day TEXT NOT NULL,
  lab TEXT NOT NULL,
  hosts BIGINT NOT NULL,
  compliant BIGINT NOT NULL,
  taken_ms BIGINT NOT NULL,
  PRIMARY KEY (day, lab)
);
