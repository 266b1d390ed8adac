-- Duplicate groups: each original with its copies, how they matched and how similar they are.
SELECT
    o.article_id AS original_id,
    o.title AS original_title,
    o.source_uri AS original_source,
    d.article_id AS copy_id,
    d.source_uri AS copy_source,
    coalesce(p.method, 'via another copy') AS method,
    round(p.similarity, 3) AS similarity,
    round(p.containment, 3) AS containment
FROM articles AS d
JOIN articles AS o ON o.article_id = d.duplicate_of
-- The pair either way round, as equalities: the IN over both orders was a nested-loop join
-- of every copy with every pair (minutes at 60,000 articles, 10,000 of them copies).
LEFT JOIN duplicate_pairs AS p
    ON least(p.article_id, p.other_id) = least(d.article_id, o.article_id)
    AND greatest(p.article_id, p.other_id) = greatest(d.article_id, o.article_id)
ORDER BY o.article_id, d.article_id;
