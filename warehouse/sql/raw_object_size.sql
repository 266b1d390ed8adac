-- A bucket raw store (warehouse/rawstore.py): whether an object is there, by its size alone,
-- which DuckDB reads with one HEAD request (a missing one is an HTTP 404 error).
SELECT size FROM read_blob($url);
