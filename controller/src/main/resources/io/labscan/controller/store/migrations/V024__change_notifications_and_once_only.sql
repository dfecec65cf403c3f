-- Issue 20: several controllers on one database (their PostgreSQL twin also creates the change
-- notification triggers; SQLite has one controller per file and polls PRAGMA data_version).

-- A complaint message is recorded once, whichever controller triages it: the IMAP identity of
-- the message ('<UIDVALIDITY>/<UID>') is unique per mailbox. NULL for the rows recorded before
-- (NULLs never conflict), so a database that already holds duplicates migrates.
ALTER TABLE complaint_messages ADD COLUMN imap_uid TEXT;
CREATE UNIQUE INDEX complaint_messages_by_imap_uid ON complaint_messages (mailbox, imap_uid);

-- An alert is sent once, not once per controller: the controller that claims an alert's key
-- first sends it; a claim older than the dedup window may be taken again (alert/StoredAlertClaims).
CREATE TABLE alert_claims (
  alert_key TEXT PRIMARY KEY,
  claimed_by TEXT NOT NULL,
  claimed_ms BIGINT NOT NULL
);
CREATE INDEX alert_claims_by_time ON alert_claims (claimed_ms);
