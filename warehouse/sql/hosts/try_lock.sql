-- PostgreSQL (warehouse/hosts.py): take a host's fetch slot (or an origin's robots.txt turn),
-- a session advisory lock, if free. Held until unlock.sql or the session's end, so a killed
-- worker's slot goes with its connection. Also the seconds until the host's next start as
-- this statement's snapshot saw it (NULL for robots.txt turns, or a host never asked): a
-- waiter that did not get the slot sleeps at least that plus the spacing.
SELECT
    pg_try_advisory_lock(%(key)s),
    (SELECT extract(epoch FROM greatest(next_fetch_at, retry_after_until) - clock_timestamp())
     FROM newsflow_hosts.hosts
     WHERE host = %(host)s)
