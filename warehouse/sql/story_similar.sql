-- Term-vector cosine between each new article and the articles it may share a story with:
-- those with a story, or new ones, published within $window_s seconds of it (an undated
-- article is compared with all: its time is unknown, not far away).
-- Candidates first, from an inverted index over each article's $top_terms heaviest terms:
-- articles sharing at least three of them, counting only terms in at most $max_df articles'
-- index (a term everyone has finds no story). Only candidates get the full cosine, which
-- keeps the cost from growing with the warehouse. The CTEs are MATERIALIZED to fix the join
-- order: joining the term tables on term alone first would multiply millions of rows.
WITH new AS MATERIALIZED (
    SELECT a.article_id, a.published_at AS at
    FROM articles AS a JOIN new_ids USING (article_id)
),
new_index AS MATERIALIZED (
    SELECT nt.article_id, nt.term
    FROM article_terms AS nt
    JOIN new_ids USING (article_id)
    JOIN term_df AS d ON d.term = nt.term
    WHERE nt.rank <= $top_terms AND d.df <= $max_df
),
candidates AS MATERIALIZED (
    -- The $max_candidates articles sharing the most indexed terms with each new one.
    SELECT ni.article_id, pt.article_id AS other_id, count(*) AS shared
    FROM new_index AS ni
    JOIN article_terms AS pt ON pt.term = ni.term
    WHERE pt.rank <= $top_terms AND pt.article_id <> ni.article_id
    GROUP BY ni.article_id, pt.article_id
    HAVING count(*) >= 3
    QUALIFY row_number() OVER (
        PARTITION BY ni.article_id ORDER BY count(*) DESC, pt.article_id
    ) <= $max_candidates
),
pool AS MATERIALIZED (
    SELECT c.article_id, c.other_id
    FROM candidates AS c
    JOIN new AS n ON n.article_id = c.article_id
    JOIN articles AS o ON o.article_id = c.other_id
    WHERE (o.story_id IS NOT NULL OR o.article_id IN (SELECT article_id FROM new_ids))
      AND (n.at IS NULL OR o.published_at IS NULL
           OR abs(epoch(o.published_at) - epoch(n.at)) <= $window_s)
),
pool_terms AS MATERIALIZED (
    SELECT p.article_id, p.other_id, a.term, a.weight
    FROM pool AS p JOIN article_terms AS a ON a.article_id = p.article_id
)
SELECT pt.article_id, pt.other_id, sum(pt.weight * b.weight) AS similarity
FROM pool_terms AS pt
JOIN article_terms AS b ON b.article_id = pt.other_id AND b.term = pt.term
GROUP BY ALL
HAVING sum(pt.weight * b.weight) >= $min_similarity;
