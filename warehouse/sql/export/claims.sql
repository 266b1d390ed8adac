-- Numeric claims of the articles in this export, in their article's partition: the parent's
-- ingest date, so an article and its enrichment are always exported together.
SELECT t.*, a.ingested_at::DATE AS "date"
FROM claims AS t
JOIN articles AS a ON a.article_id = t.article_id
WHERE ($after IS NULL OR a.ingested_at > $after) AND a.ingested_at <= $through
