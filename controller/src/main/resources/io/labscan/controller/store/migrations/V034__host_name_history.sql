-- Version 34: each host's name history (issue 15, D, red-team R9: hostnames are claims).
--
-- hosts.hostname keeps only the name the newest inventory reported. A worm that controls its
-- host can report another machine's name after it mailed ("lab-pc-12", Harold's machine), and
-- every answer would then show it under the innocent's name. One row per name a host took:
-- seq 1 is the first name the controller saw (at enrolment or first report, "the controller's
-- name"), each later row a change, from_ms when the newest inventory first reported it, until_ms
-- when the next name replaced it (NULL for the current name). name_key is the name's
-- HostnameKey (look-alikes folded), computed by the controller. Bounded per host by the
-- ingest (the first name and the newest changes, store/HostNames.MAX_NAMES_PER_HOST): a hostile
-- agent may rename itself on every report.
CREATE TABLE host_names (
  host_id TEXT NOT NULL,
  seq BIGINT NOT NULL,
  hostname TEXT NOT NULL,
  name_key TEXT NOT NULL,
  from_ms BIGINT NOT NULL,
  until_ms BIGINT,
  PRIMARY KEY (host_id, seq)
);
CREATE INDEX host_names_by_key ON host_names (name_key, until_ms);
CREATE INDEX host_names_by_until ON host_names (until_ms);

-- The hosts known before version 34: their current name, as first seen. SQL cannot fold
-- look-alikes, so their name_key is '' and readers fold those rows' names themselves.
INSERT INTO host_names(host_id, seq, hostname, name_key, from_ms, until_ms)
  SELECT host_id, 1, hostname, '', first_seen_ms, NULL FROM hosts;
