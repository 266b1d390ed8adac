-- PostgreSQL (warehouse/hosts.py): seconds until `host` may be asked again (<= 0: now, no
-- row: never asked), by the database's clock, so workers' clocks need not agree.
SELECT extract(epoch FROM greatest(next_fetch_at, retry_after_until) - clock_timestamp())
FROM newsflow_hosts.hosts
WHERE host = %(host)s
