-- Version 16: complaints that arrived in watched mailboxes (serve --complaint-mailbox), each
-- triaged once however often the IMAP connection drops (docs/triage.md, "Mailbox watch").

-- One complaint message and what triage answered. Subject and From are the message's own
-- (claimed, possibly forged) header text, sanitised and cut before they are stored.
CREATE TABLE complaint_messages (
  complaint_seq INTEGER PRIMARY KEY AUTOINCREMENT,
  mailbox TEXT NOT NULL,
  message_key TEXT NOT NULL DEFAULT '',
  received_ms BIGINT NOT NULL,
  handled_ms BIGINT NOT NULL,
  subject TEXT NOT NULL DEFAULT '',
  from_text TEXT NOT NULL DEFAULT '',
  size_bytes BIGINT NOT NULL,
  outcome TEXT NOT NULL,
  detail TEXT NOT NULL DEFAULT '',
  summary TEXT NOT NULL DEFAULT '',
  origin_ip TEXT NOT NULL DEFAULT '',
  host_id TEXT NOT NULL DEFAULT '',
  hostname TEXT NOT NULL DEFAULT '',
  confidence REAL,
  recordable INTEGER NOT NULL DEFAULT 0,
  recorded INTEGER NOT NULL DEFAULT 0,
  evidence_note TEXT NOT NULL DEFAULT '',
  complaint_id TEXT NOT NULL DEFAULT '',
  result_json TEXT NOT NULL DEFAULT ''
);
CREATE INDEX complaint_messages_by_key ON complaint_messages (mailbox, message_key);
CREATE INDEX complaint_messages_by_time ON complaint_messages (handled_ms);

-- Which IMAP message (mailbox, UIDVALIDITY, UID) was handled as which complaint, and where it
-- was moved: NULL while the move is pending, '' when it stays in the watched folder (failed).
CREATE TABLE complaint_uids (
  mailbox TEXT NOT NULL,
  uid_validity BIGINT NOT NULL,
  uid BIGINT NOT NULL,
  complaint_seq INTEGER NOT NULL,
  moved_to TEXT,
  PRIMARY KEY (mailbox, uid_validity, uid)
);
