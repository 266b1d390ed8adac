-- Pairs (new article, other article) with the same normalised text or the same canonical URL;
-- exact beats url, each unordered pair once. (Pairs sharing an LSH band come from the
-- in-memory similarity index.) A new article is paired with the first $partners articles
-- (by landing) of its text or URL at most: they are one group already, and pairing every
-- copy of a text copied thousands of times with every other grew with the square of them.
WITH new AS (
    SELECT a.article_id, a.content_hash, a.url FROM articles AS a
    JOIN new_ids USING (article_id)
),
same_text AS (
    SELECT a.article_id, a.content_hash FROM articles AS a
    WHERE a.content_hash IN (SELECT content_hash FROM new)
    QUALIFY row_number() OVER (
        PARTITION BY a.content_hash ORDER BY a.ingested_at, a.article_id
    ) <= $partners
),
same_url AS (
    SELECT a.article_id, a.url FROM articles AS a
    WHERE a.url IN (SELECT url FROM new WHERE url IS NOT NULL)
    QUALIFY row_number() OVER (PARTITION BY a.url ORDER BY a.ingested_at, a.article_id) <= $partners
),
found AS (
    SELECT n.article_id, s.article_id AS other_id, 1 AS rank
    FROM new AS n JOIN same_text AS s ON s.content_hash = n.content_hash
    WHERE s.article_id <> n.article_id
    UNION ALL
    SELECT n.article_id, s.article_id AS other_id, 2 AS rank
    FROM new AS n JOIN same_url AS s ON s.url = n.url
    WHERE s.article_id <> n.article_id
)
SELECT
    least(article_id, other_id) AS a_id,
    greatest(article_id, other_id) AS b_id,
    CASE min(rank) WHEN 1 THEN 'exact' ELSE 'url' END AS method
FROM found
GROUP BY ALL
ORDER BY a_id, b_id;
