-- For the story stage: each new article's time and original, and the story and story size of
-- the existing articles in `related` (similar articles and originals).
SELECT
    a.article_id,
    coalesce(a.published_at, a.ingested_at) AS at,
    a.duplicate_of,
    a.story_id,
    (SELECT count(*) FROM articles s WHERE s.story_id = a.story_id) AS story_size
FROM articles AS a
WHERE a.article_id IN (SELECT article_id FROM related);
