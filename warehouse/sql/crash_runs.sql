-- Mark the runs in `crashed` (run_id, message) as crashed, with what they landed before they
-- died counted from the rows themselves (their own counters are written only at the end).
UPDATE runs SET
    status = 'crashed',
    finished_at = $now,
    message = c.message,
    new_articles = (SELECT count(*) FROM articles AS a WHERE a.run_id = runs.run_id),
    duplicates = (SELECT count(*) FROM articles AS a
                  WHERE a.run_id = runs.run_id AND a.duplicate_of IS NOT NULL),
    errors = (SELECT count(*) FROM ingest_errors AS e WHERE e.run_id = runs.run_id),
    items_read = (SELECT count(*) FROM articles AS a WHERE a.run_id = runs.run_id)
               + (SELECT count(*) FROM ingest_errors AS e WHERE e.run_id = runs.run_id)
FROM crashed AS c
WHERE runs.run_id = c.run_id AND runs.status = 'running';
