-- DuckLake variant of sql/land_raw_pages.sql: a body (sha256) indexed before keeps its first
-- fetch, and one fetched twice in the batch is indexed once (the first).
INSERT INTO raw_pages BY NAME
SELECT r.* EXCLUDE (_n), $now AS fetched_at
FROM (SELECT *, row_number() OVER () AS _n FROM raw_pages_batch) AS r
WHERE r.sha256 NOT IN (SELECT sha256 FROM raw_pages)
QUALIFY row_number() OVER (PARTITION BY r.sha256 ORDER BY r._n) = 1;
