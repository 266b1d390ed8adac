-- DuckLake variant of migrations/006_exports.sql: DuckLake has no PRIMARY KEY or UNIQUE, so
-- the key columns are NOT NULL and the statements that land rows keep them unique
-- (warehouse/sql/lake/). Otherwise the same tables, columns and types.
-- Parquet exports (tasks/export.py): for each export folder and table, how far the copy got.
-- The Parquet copy is append-only; these rows are what makes the next export incremental.

CREATE TABLE exports (
    out_dir           VARCHAR NOT NULL,  -- absolute path of the export's root folder
    table_name        VARCHAR NOT NULL,
    exported_through  TIMESTAMP,         -- the table's clock at the last export; NULL: was empty
    rows_through      BIGINT NOT NULL,   -- rows at or before it then, i.e. rows in the copy
    export_id         VARCHAR NOT NULL,  -- the last export; its files are named after it
    exported_at       TIMESTAMP NOT NULL,
    rows_written      BIGINT NOT NULL,   -- by the last export
    files_written     INTEGER NOT NULL,
    full_rewrite      BOOLEAN NOT NULL   -- the last export rewrote the table's folder
);  -- key (out_dir, table_name): sql/export/lake/mark.sql
