-- Ingest errors recorded after $after up to $through, partitioned by the date they occurred.
-- Without the raw input bytes (up to 1 MiB each): raw_sha256 and raw_size identify it, and
-- the warehouse keeps it.
SELECT e.* EXCLUDE (raw), e.occurred_at::DATE AS "date"
FROM ingest_errors AS e
WHERE ($after IS NULL OR e.occurred_at > $after) AND e.occurred_at <= $through
ORDER BY e.occurred_at, e.error_id
