-- Pairs (new article, other article) that may be copies: the same normalised text, the same
-- canonical URL, or at least one shared LSH band. Near candidates come with both signatures
-- for confirmation; each unordered pair once.
WITH new AS (
    SELECT a.article_id, a.content_hash, a.url FROM articles AS a
    JOIN new_ids USING (article_id)
),
exact AS (
    SELECT n.article_id, a.article_id AS other_id, 'exact' AS method
    FROM new AS n JOIN articles AS a ON a.content_hash = n.content_hash
    WHERE a.article_id <> n.article_id
),
same_url AS (
    SELECT n.article_id, a.article_id AS other_id, 'url' AS method
    FROM new AS n JOIN articles AS a ON a.url = n.url
    WHERE n.url IS NOT NULL AND a.article_id <> n.article_id
),
near AS (
    SELECT DISTINCT nb.article_id, ob.article_id AS other_id, 'near' AS method
    FROM minhash_bands AS nb
    JOIN new_ids USING (article_id)
    JOIN minhash_bands AS ob ON ob.band = nb.band AND ob.hash = nb.hash
    WHERE ob.article_id <> nb.article_id
),
candidates AS (
    -- One row per unordered pair; exact beats url beats near.
    SELECT
        least(article_id, other_id) AS a_id,
        greatest(article_id, other_id) AS b_id,
        min(CASE method WHEN 'exact' THEN 1 WHEN 'url' THEN 2 ELSE 3 END) AS rank
    FROM (SELECT * FROM exact UNION ALL SELECT * FROM same_url UNION ALL SELECT * FROM near)
    GROUP BY ALL
)
SELECT
    c.a_id, c.b_id,
    CASE c.rank WHEN 1 THEN 'exact' WHEN 2 THEN 'url' ELSE 'near' END AS method,
    sa.signature AS a_signature, sa.shingles AS a_shingles,
    sb.signature AS b_signature, sb.shingles AS b_shingles
FROM candidates AS c
LEFT JOIN article_signatures AS sa ON sa.article_id = c.a_id
LEFT JOIN article_signatures AS sb ON sb.article_id = c.b_id;
