-- DuckLake variant of sql/land_errors.sql: the failures in `new_error_ids` (new_errors.sql),
-- each once. Where the batch holds one error_id twice the first row is kept, as INSERT OR
-- IGNORE keeps it in a DuckDB file (row_number() OVER () numbers rows in scan order).
INSERT INTO ingest_errors BY NAME
SELECT e.* EXCLUDE (_n), $run_id AS run_id, $now AS occurred_at
FROM (SELECT *, row_number() OVER () AS _n FROM errors) AS e
WHERE e.error_id IN (SELECT error_id FROM new_error_ids)
QUALIFY row_number() OVER (PARTITION BY e.error_id ORDER BY e._n) = 1;
