-- Version 23 (issue 18, red-team findings on compliance reports).

-- Report recipients confirm their address: a subscription sends reports to its address only once
-- the address's owner followed the single-use link mailed to it (or the address is the user's own
-- verified account address). One row per user and address: a confirmation covers every report of
-- that user to that address, and is not shared with another user who names the same address.
-- token_sha256: SHA-256 (hex) of the pending link's token ('' when none is pending; the token
-- itself is never stored); token_expires_ms: when it stops working; confirmed_ms: NULL until then.
CREATE TABLE report_recipients (
  username TEXT NOT NULL,
  email TEXT NOT NULL,
  token_sha256 TEXT NOT NULL DEFAULT '',
  token_expires_ms BIGINT NOT NULL DEFAULT 0,
  confirmed_ms BIGINT,
  created_ms BIGINT NOT NULL,
  PRIMARY KEY (username, email)
);
CREATE INDEX report_recipients_by_token ON report_recipients (token_sha256);

-- Every confirmation mail sent (to whom, for whose subscription), to bound them per address and per
-- user over 24 hours: no mail bombing through LabScan. Rows older than two days are dropped.
CREATE TABLE report_confirmation_mails (
  email TEXT NOT NULL,
  username TEXT NOT NULL,
  sent_ms BIGINT NOT NULL
);
CREATE INDEX report_confirmation_mails_by_email ON report_confirmation_mails (email, sent_ms);
CREATE INDEX report_confirmation_mails_by_user ON report_confirmation_mails (username, sent_ms);

-- The report's infection episodes read the verdict history of one host by verdict and time: the
-- last CLEAN before the range, the first INFECTED after it, the changes within the range; each a
-- seek in this index instead of a walk over the host's whole history.
CREATE INDEX verdict_history_by_host_verdict ON verdict_history (host_id, verdict, at_ms);
