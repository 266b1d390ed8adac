-- The most-mentioned people, organisations and places ($entity_type, or all when NULL):
-- mentions summed over original articles (copies too with $with_copies), with how many
-- articles and outlets (article_outlets) name them.
SELECT
    e.entity,
    e.entity_type AS type,
    any_value(e.country_code) AS country,
    sum(e.mentions)::BIGINT AS mentions,
    count(DISTINCT e.article_id) AS articles,
    count(DISTINCT o.outlet) AS sources
FROM article_entities AS e
JOIN articles AS a USING (article_id)
JOIN article_outlets AS o USING (article_id)
WHERE ($with_copies OR a.duplicate_of IS NULL)
  AND ($entity_type IS NULL OR e.entity_type = $entity_type)
GROUP BY e.entity, e.entity_type
ORDER BY mentions DESC, articles DESC, e.entity
LIMIT $limit;
