-- PostgreSQL, not DuckDB: who holds the lake's writer lock (its application_name names the
-- host and process). A bigint advisory key shows in pg_locks as two 32-bit halves.
SELECT a.application_name, host(a.client_addr) AS client, a.pid
FROM pg_locks AS l
JOIN pg_stat_activity AS a ON a.pid = l.pid
WHERE l.locktype = 'advisory' AND l.granted
  AND l.classid::bigint = (%(key)s >> 32) & 4294967295
  AND l.objid::bigint = %(key)s & 4294967295
LIMIT 1
