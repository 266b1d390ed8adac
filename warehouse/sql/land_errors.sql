-- Record failed items (the `errors` table); the same failure of the same input is recorded once.
INSERT OR IGNORE INTO ingest_errors BY NAME
SELECT *, $run_id AS run_id, $now AS occurred_at
FROM errors
RETURNING error_id;
