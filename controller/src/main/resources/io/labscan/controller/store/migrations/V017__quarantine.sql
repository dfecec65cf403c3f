-- Version 17: SMTP quarantine (docs/egress.md, "Quarantine").

-- Every quarantine and release, in order: who, when and why. The newest row of a host is its
-- current order; revision numbers the orders for agents (an agent applies only a higher one).
CREATE TABLE quarantine_orders (
  revision INTEGER PRIMARY KEY AUTOINCREMENT,
  host_id TEXT NOT NULL,
  quarantined INTEGER NOT NULL,
  by_whom TEXT NOT NULL,
  reason TEXT NOT NULL,
  at_ms BIGINT NOT NULL
);
CREATE INDEX quarantine_orders_by_host ON quarantine_orders (host_id, revision);

-- What each agent last reported of its quarantine (QuarantineStatus).
CREATE TABLE quarantine_agent_state (
  host_id TEXT PRIMARY KEY,
  revision BIGINT NOT NULL,
  quarantined INTEGER NOT NULL,
  enforcement TEXT NOT NULL,
  detail TEXT NOT NULL,
  reported_ms BIGINT NOT NULL
);

-- Refused SMTP attempts, summed per host, destination, user and process.
CREATE TABLE quarantine_blocked (
  host_id TEXT NOT NULL,
  ip TEXT NOT NULL,
  port INTEGER NOT NULL,
  user TEXT NOT NULL,
  process TEXT NOT NULL,
  attempts BIGINT NOT NULL,
  first_ms BIGINT NOT NULL,
  last_ms BIGINT NOT NULL,
  PRIMARY KEY (host_id, ip, port, user, process)
);
