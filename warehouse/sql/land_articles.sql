-- Land one batch of extracted articles (the Arrow table registered as `batch`) idempotently.
-- An article already in the warehouse (same article_id) is skipped. A new article whose
-- content_hash is already known points duplicate_of at the existing original; within the batch
-- the first copy by (source_uri, article_id) is the original.
INSERT INTO articles BY NAME
SELECT
    f.* EXCLUDE (first_in_batch),
    $now AS ingested_at,
    $run_id AS run_id,
    coalesce(o.original_id, nullif(f.first_in_batch, f.article_id)) AS duplicate_of
FROM (
    SELECT
        b.*,
        first_value(b.article_id) OVER (
            PARTITION BY b.content_hash ORDER BY b.source_uri, b.article_id
        ) AS first_in_batch
    FROM (SELECT DISTINCT ON (article_id) * FROM batch ORDER BY article_id, source_uri) AS b
    WHERE b.article_id NOT IN (SELECT article_id FROM articles)
) AS f
LEFT JOIN (
    SELECT content_hash, arg_min(article_id, ingested_at) AS original_id
    FROM articles
    WHERE duplicate_of IS NULL AND content_hash IN (SELECT content_hash FROM batch)
    GROUP BY content_hash
) AS o USING (content_hash)
RETURNING duplicate_of;
