-- Term-vector cosine between each new article and the articles it may share a story with:
-- those with a story, or new ones, published within $window_s seconds of it (an undated
-- article is compared with all: its time is unknown, not far away).
-- Candidates first, from an inverted index over each article's $top_terms heaviest terms:
-- articles sharing at least three of them. Only those get the full cosine, which keeps the
-- cost flat as the warehouse grows (a join over every term would grow with it).
WITH new AS (
    SELECT a.article_id, a.published_at AS at
    FROM articles AS a JOIN new_ids USING (article_id)
),
candidates AS (
    SELECT nt.article_id, pt.article_id AS other_id
    FROM article_terms AS nt
    JOIN new_ids USING (article_id)
    JOIN article_terms AS pt ON pt.term = nt.term AND pt.rank <= $top_terms
    WHERE nt.rank <= $top_terms AND pt.article_id <> nt.article_id
    GROUP BY ALL
    HAVING count(*) >= 3
),
pool AS (
    SELECT c.article_id, c.other_id
    FROM candidates AS c
    JOIN new AS n ON n.article_id = c.article_id
    JOIN articles AS o ON o.article_id = c.other_id
    WHERE (o.story_id IS NOT NULL OR o.article_id IN (SELECT article_id FROM new_ids))
      AND (n.at IS NULL OR o.published_at IS NULL
           OR abs(epoch(o.published_at) - epoch(n.at)) <= $window_s)
)
SELECT p.article_id, p.other_id, sum(a.weight * b.weight) AS similarity
FROM pool AS p
JOIN article_terms AS a ON a.article_id = p.article_id
JOIN article_terms AS b ON b.article_id = p.other_id AND b.term = a.term
GROUP BY ALL
HAVING sum(a.weight * b.weight) >= $min_similarity;
