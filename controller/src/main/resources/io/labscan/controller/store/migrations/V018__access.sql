-- Version 18 (issue 18): per-lab roles, API tokens and the audit log.

-- The labs a 'lab-manager' user may see (one row per lab); other roles have none.
-- Rows go with their user (user remove, role change).
CREATE TABLE user_labs (
  username TEXT NOT NULL,
  lab TEXT NOT NULL,
  PRIMARY KEY (username, lab)
);

-- Named API tokens for scripts and dashboards, sent as "Authorization: Bearer LST1.<id>.<secret>".
-- Only the SHA-256 of the secret is kept. role: 'viewer', 'lab-manager' (labs in
-- api_token_labs) or 'admin'. last_used_ms is written at most once a minute.
CREATE TABLE api_tokens (
  token_id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  secret_sha256 TEXT NOT NULL,
  role TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_ms BIGINT NOT NULL,
  expires_ms BIGINT NOT NULL,
  revoked_ms BIGINT,
  revoked_by TEXT,
  last_used_ms BIGINT
);
CREATE UNIQUE INDEX api_tokens_live_name ON api_tokens(name) WHERE revoked_ms IS NULL;

CREATE TABLE api_token_labs (
  token_id TEXT NOT NULL,
  lab TEXT NOT NULL,
  PRIMARY KEY (token_id, lab)
);

-- Append-only audit log: who (actor_kind user|token|cli|system|anonymous, actor), when, from
-- where (channel http|cli|system, address), what (action, target, detail). Entries are never
-- changed; only the retention prune deletes, and never an entry younger than 90 days.
CREATE TABLE audit_log (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  at_ms BIGINT NOT NULL,
  actor_kind TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT NOT NULL,
  detail TEXT NOT NULL,
  channel TEXT NOT NULL,
  address TEXT NOT NULL
);
CREATE INDEX audit_log_by_time ON audit_log(at_ms);
CREATE INDEX audit_log_by_actor ON audit_log(actor, at_ms);
CREATE INDEX audit_log_by_action ON audit_log(action, at_ms);

-- (Each trigger on one line: the migration runner splits statements at a ';' ending a line.)
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit log entries cannot be changed'); END;
CREATE TRIGGER audit_log_no_early_delete BEFORE DELETE ON audit_log WHEN OLD.at_ms > (CAST(strftime('%s', 'now') AS INTEGER) - 90 * 86400) * 1000 BEGIN SELECT RAISE(ABORT, 'audit log entries younger than 90 days cannot be deleted'); END;
