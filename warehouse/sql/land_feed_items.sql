-- Remember the feed entries dealt with in this batch (`feed_items_batch`), so they are not fetched again.
INSERT OR IGNORE INTO feed_items BY NAME
SELECT *, $now AS first_seen_at, $run_id AS run_id FROM feed_items_batch;
