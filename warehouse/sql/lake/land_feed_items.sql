-- DuckLake variant of sql/land_feed_items.sql: a feed entry (source_id, guid) already known is
-- skipped, and one listed twice in the batch lands once (the first, as INSERT OR IGNORE does).
INSERT INTO feed_items BY NAME
SELECT f.* EXCLUDE (_n), $now AS first_seen_at, $run_id AS run_id
FROM (SELECT *, row_number() OVER () AS _n FROM feed_items_batch) AS f
WHERE NOT EXISTS (
    SELECT 1 FROM feed_items AS t WHERE t.source_id = f.source_id AND t.guid = f.guid
)
QUALIFY row_number() OVER (PARTITION BY f.source_id, f.guid ORDER BY f._n) = 1;
