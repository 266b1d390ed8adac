-- PostgreSQL (warehouse/hosts.py): let go of a slot taken by try_lock.sql. A separate
-- statement from the update before it: an advisory unlock takes effect at once, not at
-- commit, and the next holder must read the committed update.
SELECT pg_advisory_unlock(%(key)s)
