-- Record failed items ($errors); the same failure of the same input is recorded once.
INSERT OR IGNORE INTO ingest_errors BY NAME
SELECT *, $run_id AS run_id, $occurred_at AS occurred_at
FROM errors
RETURNING error_id;
