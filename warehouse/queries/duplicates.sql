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
LEFT JOIN duplicate_pairs AS p
    ON (p.article_id, p.other_id) IN ((d.article_id, o.article_id), (o.article_id, d.article_id))
ORDER BY o.article_id, d.article_id;
