-- DuckLake variant of sql/land_articles.sql: DuckLake has no key to skip an article already
-- landed, nor RETURNING, so the new ids come first (new_articles.sql, registered as
-- `new_ids`) and only those are inserted. duplicate_of and story_id are set afterwards by the
-- duplicate and story stages, in the same transaction.
INSERT INTO articles BY NAME
SELECT
    b.* EXCLUDE (shingles, signature, bands, terms, weights, topics, entities, claims, enriched),
    CASE WHEN b.enriched THEN $now END AS enriched_at,
    $now AS ingested_at,
    $run_id AS run_id
FROM (SELECT DISTINCT ON (article_id) * FROM batch ORDER BY article_id, source_uri) AS b
WHERE b.article_id IN (SELECT article_id FROM new_ids);
