-- A fingerprint of the rows each table's Parquet copy holds (warehouse/export.py _tally):
-- `enrich --all` replaces an article's topics, entities and claims, mostly as many as there
-- were, and a count alone took the copy for current; its old rows stayed in it. NULL for
-- the marks of exports before this: they are checked by their count, as they were.
ALTER TABLE exports ADD COLUMN rows_hash BIGINT;
