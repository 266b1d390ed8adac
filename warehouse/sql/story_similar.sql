-- Term-vector cosine between each new article and the articles it may share a story with:
-- those with a story, or new ones, published within $window_s seconds of it (an undated
-- article is compared with all: its time is unknown, not far away).
WITH new AS (
    SELECT a.article_id, a.published_at AS at
    FROM articles AS a JOIN new_ids USING (article_id)
),
pool AS (
    SELECT article_id, published_at AS at
    FROM articles
    WHERE story_id IS NOT NULL OR article_id IN (SELECT article_id FROM new_ids)
)
SELECT n.article_id, p.article_id AS other_id, sum(nt.weight * pt.weight) AS similarity
FROM new AS n
JOIN article_terms AS nt ON nt.article_id = n.article_id
JOIN article_terms AS pt ON pt.term = nt.term AND pt.article_id <> n.article_id
JOIN pool AS p ON p.article_id = pt.article_id
WHERE n.at IS NULL OR p.at IS NULL OR abs(epoch(p.at) - epoch(n.at)) <= $window_s
GROUP BY ALL
HAVING sum(nt.weight * pt.weight) >= $min_similarity;
