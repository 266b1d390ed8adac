-- Land one batch of extracted articles (the Arrow table registered as `batch`) idempotently:
-- an article already in the warehouse (same article_id) is skipped. duplicate_of and
-- story_id are set afterwards by the duplicate and story stages, in the same transaction.
INSERT INTO articles BY NAME
SELECT
    b.* EXCLUDE (shingles, signature, bands, terms, weights, topics, entities, claims, enriched),
    CASE WHEN b.enriched THEN $now END AS enriched_at,
    $now AS ingested_at,
    $run_id AS run_id
FROM (SELECT DISTINCT ON (article_id) * FROM batch ORDER BY article_id, source_uri) AS b
WHERE b.article_id NOT IN (SELECT article_id FROM articles)
RETURNING article_id;
