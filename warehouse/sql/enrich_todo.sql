-- The articles `newsflow enrich` works on: those never enriched, or all of them ($all).
SELECT article_id FROM articles
WHERE $all OR enriched_at IS NULL
ORDER BY ingested_at, article_id;
