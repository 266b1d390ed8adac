-- PostgreSQL, not DuckDB (warehouse/lake.py writer_lock): wait for the lake's writer lock, a
-- session advisory lock in the catalog's database, at most as long as the session's
-- lock_timeout. Held until the session ends: a killed writer's lock goes with its connection.
SELECT pg_advisory_lock(%(key)s)
