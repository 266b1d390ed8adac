-- Index the bodies this batch wrote to the raw store (`raw_pages_batch`); the first fetch is kept.
INSERT OR IGNORE INTO raw_pages BY NAME
SELECT *, $now AS fetched_at FROM raw_pages_batch;
