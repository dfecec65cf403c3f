-- Version 31: the recording MTA's addresses on a recorded complaint trace (issue 15, N7).
--
-- The addresses of the MTA that wrote the trusted Received: line giving the complaint's origin,
-- as that line (its "by ... (address)") and the trusted line above it (the client address the
-- next MTA of ours recorded) give them, space-separated; '' when unknown, for an authenticated
-- submission (the account's act), and for traces recorded before version 31. A verdict counts a
-- host's own unallowed SMTP connection to one of these, on port 25, covering the line's time, as
-- the same connection the MTA recorded (docs/verdicts.md, "The same connection").
ALTER TABLE complaint_traces ADD COLUMN recording_mta TEXT NOT NULL DEFAULT '';
ALTER TABLE complaint_trace_history ADD COLUMN recording_mta TEXT NOT NULL DEFAULT '';
