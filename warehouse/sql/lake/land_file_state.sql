-- DuckLake variant of sql/land_file_state.sql: INSERT OR REPLACE as a MERGE on the path. A
-- path listed twice in the batch counts once (the first row, as INSERT OR REPLACE keeps it in
-- a DuckDB file): DuckLake would otherwise insert both.
MERGE INTO file_state AS t
USING (
    SELECT f.* EXCLUDE (_n), $run_id AS last_run_id
    FROM (SELECT *, row_number() OVER () AS _n FROM file_states) AS f
    QUALIFY row_number() OVER (PARTITION BY f.path ORDER BY f._n) = 1
) AS s
ON t.path = s.path
WHEN MATCHED THEN UPDATE SET *
WHEN NOT MATCHED THEN INSERT BY NAME;
