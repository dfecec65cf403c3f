-- Triage's egress overlap query on PostgreSQL: the plans of docs/PERFORMANCE.md section 6,
-- "Fixes: custom plans and multi-row sweep writes". Run against an empty database migrated by
-- the controller (or by psql -f of the PostgreSQL migrations V001..V023 in order), e.g.
--   psql -d DB -v hosts=100000 -v per_host=100 -f docs/bench/pg-overlap-plans.sql
-- It seeds the shape of TriageScaleBench's store (one-minute windows over 30 days, every 200th
-- host infected with half of its windows unallowed), then EXPLAINs both variants of
-- SqliteTriageEvidence.overlapQuery with literals and as prepared statements after 7 runs.
-- With V025 applied the long-window half is planned from statistics; without it (DROP
-- STATISTICS egress_window_length; ANALYZE egress_windows) from the planner's guess.
\if :{?hosts} \else \set hosts 100000 \endif
\if :{?per_host} \else \set per_host 100 \endif
\set start 1780228800000
\set from 1781000000000
\set to 1781000600000

INSERT INTO hosts(host_id, hostname, first_seen_ms, last_seen_ms, os_family, os_version, agent_version, lab,
    logged_in_users)
  SELECT md5(i::text)::uuid::text, format('lab-pc-%s', lpad(i::text, 6, '0')), :start, :start + 2592000000,
    'windows', 'Microsoft Windows XP Professional SP1', '0.1.0', 'lab-' || i % 100, 'user' || i
  FROM generate_series(0, :hosts - 1) i;
INSERT INTO egress_windows(report_id, host_id, window_start_ms, window_end_ms, first_seen_ms, last_seen_ms, pid,
    process_name, process_path, user_name, connections, distinct_destinations, destinations, allowed, source)
  SELECT 'r-' || i || '-e' || (w / 10), md5(i::text)::uuid::text, s, s + 60000, s + 5000, s + 9000,
    CASE WHEN worm THEN 3112 ELSE 2048 END, CASE WHEN worm THEN 'winkabcd.exe' ELSE 'thunderbird.exe' END,
    CASE WHEN worm THEN 'C:\WINDOWS\SYSTEM32\WINKABCD.EXE' ELSE 'C:\Program Files\Mozilla Thunderbird\thunderbird.exe' END,
    'user' || i, CASE WHEN worm THEN 40 ELSE 1 END, CASE WHEN worm THEN 12 ELSE 1 END,
    CASE WHEN worm THEN '10.20.0.25:25*30 192.0.2.7:25*10' ELSE '10.20.0.25:587*1' END,
    CASE WHEN worm THEN 0 ELSE 1 END, 'poll'
  FROM generate_series(0, :hosts - 1) i, generate_series(0, :per_host - 1) w,
    LATERAL (SELECT :start::bigint + (floor(random() * 2592000000::bigint / 60000) * 60000)::bigint + 0 * i AS s,
      (i % 200 = 7 AND w % 2 = 0) AS worm) x;
VACUUM ANALYZE;

SELECT host_id AS host FROM hosts WHERE hostname = 'lab-pc-000007' \gset

-- The egress-only question (overlapQuery(UNALLOWED)), literals.
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF)
SELECT e.host_id, h.hostname, e.window_start_ms, e.window_end_ms, e.connections, e.destinations, e.process_name,
  e.allowed, e.process_path FROM egress_windows e JOIN hosts h ON h.host_id = e.host_id
WHERE e.window_start_ms >= :from - 3600000 AND e.window_start_ms <= :to AND e.window_end_ms >= :from
  AND e.window_end_ms - e.window_start_ms <= 3600000 AND e.allowed = 0
UNION ALL SELECT e.host_id, h.hostname, e.window_start_ms, e.window_end_ms, e.connections, e.destinations,
  e.process_name, e.allowed, e.process_path FROM egress_windows e JOIN hosts h ON h.host_id = e.host_id
WHERE e.window_end_ms - e.window_start_ms > 3600000 AND e.window_start_ms <= :to AND e.window_end_ms >= :from
  AND +e.allowed = 0 ORDER BY 3 LIMIT 20000;

-- A host's question (overlapQuery(" AND e.host_id = ?")), literals.
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF)
SELECT e.host_id, h.hostname, e.window_start_ms, e.window_end_ms, e.connections, e.destinations, e.process_name,
  e.allowed, e.process_path FROM egress_windows e JOIN hosts h ON h.host_id = e.host_id
WHERE e.window_start_ms >= :from - 3600000 AND e.window_start_ms <= :to AND e.window_end_ms >= :from
  AND e.window_end_ms - e.window_start_ms <= 3600000 AND e.host_id = :'host'
UNION ALL SELECT e.host_id, h.hostname, e.window_start_ms, e.window_end_ms, e.connections, e.destinations,
  e.process_name, e.allowed, e.process_path FROM egress_windows e JOIN hosts h ON h.host_id = e.host_id
WHERE e.window_end_ms - e.window_start_ms > 3600000 AND e.window_start_ms <= :to AND e.window_end_ms >= :from
  AND e.host_id = :'host' ORDER BY 3 LIMIT 20000;

-- The egress-only question as the driver runs it: a server-side prepared statement; the plan of
-- its eighth run (plan_cache_mode auto: five custom plans, then generic ones when not costlier).
PREPARE unallowed AS
SELECT e.host_id, h.hostname, e.window_start_ms, e.window_end_ms, e.connections, e.destinations, e.process_name,
  e.allowed, e.process_path FROM egress_windows e JOIN hosts h ON h.host_id = e.host_id
WHERE e.window_start_ms >= $1 AND e.window_start_ms <= $2 AND e.window_end_ms >= $3
  AND e.window_end_ms - e.window_start_ms <= 3600000 AND e.allowed = 0
UNION ALL SELECT e.host_id, h.hostname, e.window_start_ms, e.window_end_ms, e.connections, e.destinations,
  e.process_name, e.allowed, e.process_path FROM egress_windows e JOIN hosts h ON h.host_id = e.host_id
WHERE e.window_end_ms - e.window_start_ms > 3600000 AND e.window_start_ms <= $4 AND e.window_end_ms >= $5
  AND +e.allowed = 0 ORDER BY 3 LIMIT 20000;
\o /dev/null
EXECUTE unallowed(:from - 3600000, :to, :from, :to, :from);
EXECUTE unallowed(:from - 3600000, :to, :from, :to, :from);
EXECUTE unallowed(:from - 3600000, :to, :from, :to, :from);
EXECUTE unallowed(:from - 3600000, :to, :from, :to, :from);
EXECUTE unallowed(:from - 3600000, :to, :from, :to, :from);
EXECUTE unallowed(:from - 3600000, :to, :from, :to, :from);
EXECUTE unallowed(:from - 3600000, :to, :from, :to, :from);
\o
SELECT name, generic_plans, custom_plans FROM pg_prepared_statements;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF) EXECUTE unallowed(:from - 3600000, :to, :from, :to, :from);
