-- Issue 20: several controllers on one database.
--
-- 1. Change notifications. A committed change the change feed's listeners react to (policy,
-- rule sets, revocations, campaigns, scan-now, quarantine orders, mail-server roles) sends a
-- NOTIFY on the channel labscan_changes; every controller LISTENs on it and polls at once
-- (store/postgres/PostgresChangeListener). Statement-level triggers, so every writer notifies
-- (any controller, the command-line commands, an operator's SQL), once per statement, delivered
-- at commit, identical notifications of one transaction folded into one. The payload is empty
-- and never read: anybody with access to the database can NOTIFY. Only low-volume tables: the
-- tables agents' reports fill have no trigger (campaign_targets only on INSERT and DELETE: the
-- deliveries are updates).
CREATE FUNCTION labscan_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('labscan_changes', '');
  RETURN NULL;
END;
$$;
CREATE TRIGGER settings_notify_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON settings
  FOR EACH STATEMENT EXECUTE FUNCTION labscan_notify_change();
CREATE TRIGGER revoked_hosts_notify_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON revoked_hosts
  FOR EACH STATEMENT EXECUTE FUNCTION labscan_notify_change();
CREATE TRIGGER campaigns_notify_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON campaigns
  FOR EACH STATEMENT EXECUTE FUNCTION labscan_notify_change();
CREATE TRIGGER campaign_runs_notify_change AFTER INSERT OR DELETE OR TRUNCATE ON campaign_runs
  FOR EACH STATEMENT EXECUTE FUNCTION labscan_notify_change();
CREATE TRIGGER campaign_targets_notify_change AFTER INSERT OR DELETE OR TRUNCATE ON campaign_targets
  FOR EACH STATEMENT EXECUTE FUNCTION labscan_notify_change();
CREATE TRIGGER quarantine_orders_notify_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON quarantine_orders
  FOR EACH STATEMENT EXECUTE FUNCTION labscan_notify_change();
CREATE TRIGGER host_roles_notify_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON host_roles
  FOR EACH STATEMENT EXECUTE FUNCTION labscan_notify_change();

-- 2. A complaint message is recorded once, whichever controller triages it: the IMAP identity
-- of the message ('<UIDVALIDITY>/<UID>') is unique per mailbox. NULL for the rows recorded
-- before (NULLs never conflict), so a database that already holds duplicates migrates.
ALTER TABLE complaint_messages ADD COLUMN imap_uid TEXT;
CREATE UNIQUE INDEX complaint_messages_by_imap_uid ON complaint_messages (mailbox, imap_uid);

-- 3. An alert is sent once, not once per controller: the controller that claims an alert's key
-- first sends it; a claim older than the dedup window may be taken again (alert/StoredAlertClaims).
CREATE TABLE alert_claims (
  alert_key TEXT PRIMARY KEY,
  claimed_by TEXT NOT NULL,
  claimed_ms BIGINT NOT NULL
);
CREATE INDEX alert_claims_by_time ON alert_claims (claimed_ms);
