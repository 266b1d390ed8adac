-- The stories a run's articles (run $run_id) went to, biggest first, for its report. Only
-- those stories are aggregated, not the whole `stories` view.
WITH touched AS (
    SELECT DISTINCT story_id FROM articles WHERE run_id = $run_id AND story_id IS NOT NULL
)
SELECT
    arg_min(a.title, (coalesce(a.published_at, a.ingested_at), a.article_id)) AS label,
    count(*) AS articles,
    count(DISTINCT o.outlet) AS sources,
    count(*) FILTER (WHERE a.run_id = $run_id) AS from_this_run,
    count(*) = count(*) FILTER (WHERE a.run_id = $run_id) AS new_story
FROM articles AS a
JOIN touched USING (story_id)
JOIN article_outlets AS o USING (article_id)
GROUP BY a.story_id
ORDER BY articles DESC, from_this_run DESC, label
LIMIT 10;
