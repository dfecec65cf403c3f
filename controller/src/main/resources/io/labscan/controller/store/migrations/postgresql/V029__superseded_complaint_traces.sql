-- PostgreSQL twin of ../V029__superseded_complaint_traces.sql.
-- Version 29: one complaint has one recorded answer (issue 15, red-team round 5, R5).
--
-- Recording a triage answer again replaces the complaint's earlier traces; an administrator can
-- withdraw a trace. The replaced or withdrawn rows move here, with who ended them, when and why
-- ("superseded by the triage of ... at ...", "withdrawn by ..."): never deleted, never evidence.

-- The digest of the complaint's message bytes (docs/triage.md, "Recording"): the key a sender
-- does not choose. '' for traces recorded before version 29 (those are matched by complaint_id).
ALTER TABLE complaint_traces ADD COLUMN complaint_key TEXT NOT NULL DEFAULT '';
CREATE INDEX complaint_traces_by_key ON complaint_traces (complaint_key);

CREATE TABLE complaint_trace_history (
  complaint_id TEXT NOT NULL,
  complaint_key TEXT NOT NULL DEFAULT '',
  host_id TEXT NOT NULL,
  confidence DOUBLE PRECISION NOT NULL,
  traced_ms BIGINT NOT NULL,
  origin_ip TEXT NOT NULL DEFAULT '',
  origin_time_ms BIGINT,
  summary TEXT NOT NULL DEFAULT '',
  recorded_by TEXT NOT NULL DEFAULT '',
  ended_ms BIGINT NOT NULL,
  ended_by TEXT NOT NULL,
  ended_because TEXT NOT NULL
);
CREATE INDEX complaint_trace_history_by_complaint ON complaint_trace_history (complaint_id, ended_ms);
CREATE INDEX complaint_trace_history_by_host ON complaint_trace_history (host_id, ended_ms);
