-- The members of the groups named by their originals (`roots`), with what orders them.
SELECT
    a.article_id,
    coalesce(a.duplicate_of, a.article_id) AS root,
    a.published_at,
    a.ingested_at
FROM articles AS a
WHERE coalesce(a.duplicate_of, a.article_id) IN (SELECT article_id FROM roots);
