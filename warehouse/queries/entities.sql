-- The most-mentioned people, organisations and places ($entity_type, or all when NULL):
-- mentions summed over original articles, with how many articles and sources name them.
SELECT
    e.entity,
    e.entity_type AS type,
    any_value(e.country_code) AS country,
    sum(e.mentions)::BIGINT AS mentions,
    count(DISTINCT e.article_id) AS articles,
    count(DISTINCT coalesce(a.site_name, regexp_extract(a.url, '^https?://([^/]+)', 1),
                            a.source_uri)) AS sources
FROM article_entities AS e
JOIN articles AS a USING (article_id)
WHERE a.duplicate_of IS NULL
  AND ($entity_type IS NULL OR e.entity_type = $entity_type)
GROUP BY e.entity, e.entity_type
ORDER BY mentions DESC, articles DESC, e.entity
LIMIT $limit;
