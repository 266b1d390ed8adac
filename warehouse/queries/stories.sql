-- Stories with at least $min_articles articles seen since $since, newest first, each with
-- its articles (title, source, published) in order.
SELECT
    s.story_id,
    s.label,
    strftime(s.first_seen, '%Y-%m-%d %H:%M') AS first_seen,
    strftime(s.last_seen, '%Y-%m-%d %H:%M') AS last_seen,
    s.articles,
    s.sources,
    list(
        coalesce(a.title, '(untitled)') || '  [' || coalesce(a.site_name, a.url, a.source_uri) || ']'
        ORDER BY coalesce(a.published_at, a.ingested_at), a.article_id
    ) AS titles
FROM stories AS s
JOIN articles AS a USING (story_id)
WHERE s.last_seen >= $since AND s.articles >= $min_articles
GROUP BY s.story_id, s.label, s.first_seen, s.last_seen, s.articles, s.sources
ORDER BY s.last_seen DESC, s.story_id;
