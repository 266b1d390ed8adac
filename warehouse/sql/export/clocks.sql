-- Each exported table follows a clock: the time its rows reach the warehouse in final form.
-- Read in the export's transaction, these are the watermarks this export copies up to.
SELECT
    (SELECT max(ingested_at) FROM articles) AS articles,
    (SELECT max(found_at) FROM duplicate_pairs) AS duplicate_pairs,
    (SELECT max(occurred_at) FROM ingest_errors) AS ingest_errors,
    -- A run is exported once it has finished: its row changes until then.
    (SELECT max(finished_at) FROM runs) AS runs
