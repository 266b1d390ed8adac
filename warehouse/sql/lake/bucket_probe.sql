-- Check a bucket before using it (warehouse/lake.py open_bucket): one listing of a prefix no
-- object has (DuckDB lists only up to the wildcard), so it answers at once, empty, when the
-- endpoint is up, the bucket there and the key may list it, and fails with the reason if not.
SELECT count(*) FROM glob($probe);
