-- Pairs (new article, other article) with the same normalised text or the same canonical URL;
-- exact beats url, each unordered pair once. (Pairs sharing an LSH band come from the
-- in-memory similarity index.)
WITH new AS (
    SELECT a.article_id, a.content_hash, a.url FROM articles AS a
    JOIN new_ids USING (article_id)
),
found AS (
    SELECT n.article_id, a.article_id AS other_id, 1 AS rank
    FROM new AS n JOIN articles AS a ON a.content_hash = n.content_hash
    WHERE a.article_id <> n.article_id
    UNION ALL
    SELECT n.article_id, a.article_id AS other_id, 2 AS rank
    FROM new AS n JOIN articles AS a ON a.url = n.url
    WHERE n.url IS NOT NULL AND a.article_id <> n.article_id
)
SELECT
    least(article_id, other_id) AS a_id,
    greatest(article_id, other_id) AS b_id,
    CASE min(rank) WHEN 1 THEN 'exact' ELSE 'url' END AS method
FROM found
GROUP BY ALL
ORDER BY a_id, b_id;
