-- Lake only (DuckLake has no RETURNING): the ids of the failures in `errors` not recorded
-- before; land_errors.sql (lake variant) then inserts these.
SELECT DISTINCT error_id
FROM errors
WHERE error_id NOT IN (SELECT error_id FROM ingest_errors)
ORDER BY error_id;
