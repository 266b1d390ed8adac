-- PostgreSQL (warehouse/hosts.py): a turn on `host` ended. Its request started `elapsed`
-- seconds ago (measured by the worker, a duration, not a clock), so the next may start
-- `delay` seconds after that start, and none before `hold` seconds from now (Retry-After).
INSERT INTO newsflow_hosts.hosts AS h (host, next_fetch_at, retry_after_until, fetches,
                                       last_worker)
VALUES (
    %(host)s,
    clock_timestamp() + make_interval(secs => %(delay)s - %(elapsed)s),
    clock_timestamp() + make_interval(secs => %(hold)s),
    1,
    current_setting('application_name')
)
ON CONFLICT (host) DO UPDATE SET
    next_fetch_at = greatest(h.next_fetch_at, excluded.next_fetch_at),
    retry_after_until = greatest(h.retry_after_until, excluded.retry_after_until),
    fetches = h.fetches + 1,
    last_worker = excluded.last_worker
