-- Topics over time: articles per day and IPTC topic since $since (originals only unless
-- $with_copies, so a story syndicated ten times counts once); main = articles whose first
-- topic it is.
SELECT
    coalesce(a.published_at, a.ingested_at)::DATE AS day,
    t.topic_name AS topic,
    count(*) AS articles,
    count(*) FILTER (WHERE t.rank = 1) AS main
FROM article_topics AS t
JOIN articles AS a USING (article_id)
WHERE ($with_copies OR a.duplicate_of IS NULL)
  AND coalesce(a.published_at, a.ingested_at) >= $since
GROUP BY ALL
ORDER BY day, articles DESC, topic;
