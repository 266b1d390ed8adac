-- Flow runs that finished after $after up to $through, partitioned by the date they
-- finished. A run still running is left for a later export: its counts are not final.
SELECT r.*, r.finished_at::DATE AS "date"
FROM runs AS r
WHERE ($after IS NULL OR r.finished_at > $after) AND r.finished_at <= $through
ORDER BY r.finished_at, r.run_id
