-- Version 19 (issue 18): compliance reports e-mailed on a schedule.

-- Who gets which report: a user (lab-manager or admin) subscribes an address to the weekly or
-- monthly report of one lab, or of every lab they may see (lab ''; admins only).
-- last_error/last_attempt_ms: the last failed sending, shown on the Reports page ('' when none).
CREATE TABLE report_subscriptions (
  subscription_id TEXT PRIMARY KEY,
  username TEXT NOT NULL,
  email TEXT NOT NULL,
  lab TEXT NOT NULL,
  cadence TEXT NOT NULL,
  created_ms BIGINT NOT NULL,
  last_error TEXT NOT NULL DEFAULT '',
  last_attempt_ms BIGINT
);
CREATE UNIQUE INDEX report_subscriptions_once ON report_subscriptions (username, email, lab, cadence);

-- Each report sent: one row per subscription and period [period_from, period_to), written right
-- after the relay accepted the message, so a restart neither sends a period again nor skips it.
CREATE TABLE report_deliveries (
  subscription_id TEXT NOT NULL,
  period_from TEXT NOT NULL,
  period_to TEXT NOT NULL,
  sent_ms BIGINT NOT NULL,
  message_id TEXT NOT NULL,
  PRIMARY KEY (subscription_id, period_from)
);
