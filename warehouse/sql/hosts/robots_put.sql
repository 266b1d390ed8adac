-- PostgreSQL (warehouse/hosts.py): the robots.txt of `origin` as one worker fetched it, for
-- every worker, for `ttl` seconds.
INSERT INTO newsflow_hosts.robots AS r (origin, body, unavailable, fetched_at, expires_at,
                                        fetched_by)
VALUES (
    %(origin)s, %(body)s, %(unavailable)s, clock_timestamp(),
    clock_timestamp() + make_interval(secs => %(ttl)s), current_setting('application_name')
)
ON CONFLICT (origin) DO UPDATE SET
    body = excluded.body,
    unavailable = excluded.unavailable,
    fetched_at = excluded.fetched_at,
    expires_at = excluded.expires_at,
    fetched_by = excluded.fetched_by
