-- A claim timeline: every claim counting $unit (e.g. troops) in articles that mention
-- $about (an entity, e.g. North Korea; NULL for all), by publication date and source, so you
-- can see how the reported number moved. Undated articles come last. Copies of an article
-- repeat its claims: they are left out unless $with_copies.
SELECT
    coalesce(strftime(a.published_at, '%Y-%m-%d'), 'undated') AS published,
    coalesce(a.site_name, regexp_extract(a.url, '^https?://([^/]+)', 1),
             regexp_extract(a.source_uri, '[^/]+$')) AS source,
    c.qualifier,
    c.value,
    c.value_high,
    c.horizon,
    c.quantity,
    c.sentence
FROM claims AS c
JOIN articles AS a USING (article_id)
WHERE c.unit = $unit
  AND ($with_copies OR a.duplicate_of IS NULL)
  AND ($about IS NULL OR EXISTS (
        SELECT 1 FROM article_entities AS e
        WHERE e.article_id = c.article_id AND e.entity = $about))
ORDER BY a.published_at NULLS LAST, source, c.claim_no;
