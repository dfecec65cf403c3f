-- PostgreSQL twin of ../V001__initial.sql (same tables, columns, keys and index names; checked by
-- PostgresMigrationsMatchSqliteTest). SQLite INTEGER is 64-bit: BIGINT here; BLOB: BYTEA;
-- REAL: DOUBLE PRECISION; AUTOINCREMENT: an identity column.
-- LabScan controller schema, version 1.
-- Portable SQL (SQLite and PostgreSQL): times are BIGINT epoch milliseconds (UTC),
-- booleans are INTEGER 0/1, binary data is BLOB (bytea on PostgreSQL via the dialect).

CREATE TABLE settings (
  name TEXT PRIMARY KEY,
  value BYTEA NOT NULL
);

CREATE TABLE hosts (
  host_id TEXT PRIMARY KEY,
  hostname TEXT NOT NULL,
  fqdn TEXT NOT NULL DEFAULT '',
  os_family TEXT NOT NULL DEFAULT '',
  os_version TEXT NOT NULL DEFAULT '',
  agent_version TEXT NOT NULL DEFAULT '',
  architecture TEXT NOT NULL DEFAULT '',
  lab TEXT NOT NULL DEFAULT '',
  elevated BIGINT NOT NULL DEFAULT 0,
  logged_in_users TEXT NOT NULL DEFAULT '',
  boot_time_ms BIGINT,
  enrolled_ms BIGINT,
  first_seen_ms BIGINT NOT NULL,
  last_seen_ms BIGINT NOT NULL,
  last_inventory_ms BIGINT,
  last_report_ms BIGINT,
  last_full_scan_ms BIGINT,
  last_sequence BIGINT NOT NULL DEFAULT 0
);

-- Every report as received (the evidence of record), stored once per report id.
CREATE TABLE reports (
  report_id TEXT PRIMARY KEY,
  host_id TEXT NOT NULL,
  sequence BIGINT NOT NULL,
  created_ms BIGINT NOT NULL,
  received_ms BIGINT NOT NULL,
  scan_kind TEXT NOT NULL,
  via TEXT NOT NULL,
  payload BYTEA NOT NULL
);
CREATE INDEX reports_by_host ON reports (host_id, created_ms);

-- Address history: one row per continuous interval in which a host reported an address.
CREATE TABLE host_addresses (
  host_id TEXT NOT NULL,
  ip TEXT NOT NULL,
  mac TEXT NOT NULL DEFAULT '',
  interface_name TEXT NOT NULL DEFAULT '',
  first_seen_ms BIGINT NOT NULL,
  last_seen_ms BIGINT NOT NULL,
  is_current BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX host_addresses_by_ip ON host_addresses (ip, first_seen_ms);
CREATE INDEX host_addresses_by_host ON host_addresses (host_id, is_current);

CREATE TABLE scans (
  report_id TEXT PRIMARY KEY,
  host_id TEXT NOT NULL,
  scan_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  trigger_name TEXT NOT NULL DEFAULT '',
  root TEXT NOT NULL DEFAULT '',
  started_ms BIGINT,
  finished_ms BIGINT,
  files_scanned BIGINT NOT NULL DEFAULT 0,
  bytes_scanned BIGINT NOT NULL DEFAULT 0,
  failed_checks TEXT NOT NULL DEFAULT ''
);
CREATE INDEX scans_by_host ON scans (host_id, finished_ms);

CREATE TABLE av_status (
  report_id TEXT NOT NULL,
  host_id TEXT NOT NULL,
  observed_ms BIGINT NOT NULL,
  provider TEXT NOT NULL,
  product TEXT NOT NULL DEFAULT '',
  engine_version TEXT NOT NULL DEFAULT '',
  definitions_version TEXT NOT NULL DEFAULT '',
  definitions_ms BIGINT,
  definitions_age_seconds BIGINT NOT NULL DEFAULT 0,
  state TEXT NOT NULL,
  reason TEXT NOT NULL DEFAULT '',
  source TEXT NOT NULL DEFAULT ''
);
CREATE INDEX av_status_by_host ON av_status (host_id, observed_ms);

CREATE TABLE findings (
  report_id TEXT NOT NULL,
  host_id TEXT NOT NULL,
  observed_ms BIGINT NOT NULL,
  rule_id TEXT NOT NULL,
  rule_kind TEXT NOT NULL,
  path TEXT NOT NULL DEFAULT '',
  registry_key TEXT NOT NULL DEFAULT '',
  size BIGINT NOT NULL DEFAULT 0,
  sha256 TEXT NOT NULL DEFAULT '',
  detail TEXT NOT NULL DEFAULT '',
  mail_message_id TEXT NOT NULL DEFAULT '',
  mail_part_name TEXT NOT NULL DEFAULT '',
  mail_subject TEXT NOT NULL DEFAULT '',
  mail_date_ms BIGINT,
  rule_set_version TEXT NOT NULL DEFAULT ''
);
CREATE INDEX findings_by_host ON findings (host_id, observed_ms);

CREATE TABLE egress_windows (
  report_id TEXT NOT NULL,
  host_id TEXT NOT NULL,
  window_start_ms BIGINT NOT NULL,
  window_end_ms BIGINT NOT NULL,
  first_seen_ms BIGINT,
  last_seen_ms BIGINT,
  pid BIGINT NOT NULL DEFAULT 0,
  process_name TEXT NOT NULL DEFAULT '',
  process_path TEXT NOT NULL DEFAULT '',
  user_name TEXT NOT NULL DEFAULT '',
  unattributed BIGINT NOT NULL DEFAULT 0,
  connections BIGINT NOT NULL DEFAULT 0,
  distinct_destinations BIGINT NOT NULL DEFAULT 0,
  destinations TEXT NOT NULL DEFAULT '',
  allowed BIGINT NOT NULL DEFAULT 0,
  source TEXT NOT NULL DEFAULT ''
);
CREATE INDEX egress_by_time ON egress_windows (window_start_ms);
CREATE INDEX egress_by_host ON egress_windows (host_id, window_start_ms);

CREATE TABLE harvest_digests (
  host_id TEXT NOT NULL,
  key_id TEXT NOT NULL,
  digest TEXT NOT NULL,
  first_seen_ms BIGINT NOT NULL,
  last_seen_ms BIGINT NOT NULL,
  PRIMARY KEY (host_id, key_id, digest)
);
CREATE INDEX harvest_by_digest ON harvest_digests (key_id, digest);
