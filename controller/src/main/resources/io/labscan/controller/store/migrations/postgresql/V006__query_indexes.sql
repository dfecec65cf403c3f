-- PostgreSQL twin of ../V006__query_indexes.sql (same tables, columns, keys and index names; checked by
-- PostgresMigrationsMatchSqliteTest). SQLite INTEGER is 64-bit: BIGINT here; BLOB: BYTEA;
-- REAL: DOUBLE PRECISION; AUTOINCREMENT: an identity column.
-- Version 6: indexes for triage and verdicts on a fleet-sized store (docs/PERFORMANCE.md).

-- "Which egress windows overlap [from, to]?" Windows are short (one minute by default), so
-- the store asks for window_start_ms in [from - 1 h, to] on egress_by_time, and lists the
-- rare longer windows through this partial index. Without it the question walked every
-- window that started before `to`: seconds on 10 million windows.
CREATE INDEX egress_long_windows ON egress_windows (window_start_ms)
  WHERE window_end_ms - window_start_ms > 3600000;

-- Windows that policy does not allow: a few among many allowed ones. Verdicts ask for a host's,
-- triage (an origin no host held) for every host's in a few minutes.
CREATE INDEX egress_unallowed_by_host ON egress_windows (host_id, window_start_ms) WHERE allowed = 0;
CREATE INDEX egress_unallowed_by_time ON egress_windows (window_start_ms) WHERE allowed = 0;

-- Verdicts read the findings and AV rows of a host's latest report by its report_id: without
-- these each read scanned the whole table (a sweep over 100,000 hosts took about 20 minutes).
CREATE INDEX findings_by_report ON findings (report_id);
CREATE INDEX av_status_by_report ON av_status (report_id);

-- Who is logged in where, one row per (user, host), for triage's "whose address is this?"
-- when no operator mapping exists: an index lookup instead of reading every host. user_name
-- is lower case; kept in step with hosts.logged_in_users by the ingest. The back-fill below
-- lower-cases ASCII letters only (SQLite's lower()); the ingest lower-cases fully.
CREATE TABLE host_users (
  user_name TEXT NOT NULL,
  host_id TEXT NOT NULL,
  PRIMARY KEY (user_name, host_id)
);
CREATE INDEX host_users_by_host ON host_users (host_id);
-- PostgreSQL: the same back-fill by string_to_array/unnest instead of a recursive split.
INSERT INTO host_users(user_name, host_id)
  SELECT DISTINCT lower(trim(u.name)), h.host_id
    FROM hosts h CROSS JOIN LATERAL unnest(string_to_array(h.logged_in_users, ',')) AS u(name)
    WHERE h.logged_in_users <> '' AND trim(u.name) <> ''
  ON CONFLICT DO NOTHING;
