-- PostgreSQL (warehouse/hosts.py): take a host's fetch slot (or an origin's robots.txt turn),
-- a session advisory lock, if free. Held until unlock.sql or the session's end, so a killed
-- worker's slot goes with its connection.
SELECT pg_try_advisory_lock(%(key)s)
