-- Version 20: the agent watches itself (issue 21, docs/reliability.md). The latest resource
-- figures each agent sent with its heartbeat, validated and clamped by the controller; one row
-- per host, replaced at every heartbeat that carries figures (received_ms is NULL until one
-- was accepted). refused is the controller's reason for the newest figures it refused, '' when
-- the newest were accepted; accepted figures are kept when later ones are refused.
CREATE TABLE agent_resources (
  host_id TEXT PRIMARY KEY,
  rss_bytes BIGINT,
  rss_anon_bytes BIGINT,
  rss_file_bytes BIGINT,
  cpu_percent DOUBLE PRECISION,
  cpu_percent_window DOUBLE PRECISION,
  threads INTEGER,
  budget_state TEXT,
  memory_over_minutes INTEGER,
  memory_restarts INTEGER,
  restarted_for_memory_ms BIGINT,
  memory_budget_bytes BIGINT,
  cpu_budget_percent DOUBLE PRECISION,
  measured_ms BIGINT,
  received_ms BIGINT,
  refused TEXT NOT NULL,
  refused_ms BIGINT
);
