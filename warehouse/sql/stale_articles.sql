-- Up to $limit articles whose signature, LSH bands and term vector are stale (marked by a
-- migration that changed how they are computed), with what they are computed from.
SELECT s.article_id, a.title, a.text, a.language
FROM stale_signatures AS s
JOIN articles AS a USING (article_id)
ORDER BY s.article_id
LIMIT $limit;
