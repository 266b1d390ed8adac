-- Lake maintenance, step 1 (store.maintain_lake): DuckLake's CHECKPOINT writes the rows it
-- kept inlined in the catalog (inserts of <= 10 rows) to Parquet, merges adjacent small files
-- (every landing commit writes its own) and rewrites files that are mostly deleted rows.
-- The files it replaced stay until their snapshots expire (expire_snapshots.sql).
CHECKPOINT;
