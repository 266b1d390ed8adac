-- The migrations this warehouse has had (warehouse/store.py migrate, pending_migrations).
SELECT version FROM schema_migrations
