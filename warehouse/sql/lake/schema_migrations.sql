-- DuckLake variant of sql/schema_migrations.sql: version is unique because migrations apply
-- one at a time (warehouse/store.py migrate), not by a key.
CREATE TABLE IF NOT EXISTS schema_migrations (
    version     INTEGER NOT NULL,
    name        VARCHAR NOT NULL,
    applied_at  TIMESTAMP NOT NULL
);
