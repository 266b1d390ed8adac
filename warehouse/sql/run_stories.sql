-- The stories a run's articles (run $run_id) went to, biggest first, for its report.
SELECT s.label, s.articles, s.sources, count(*) AS from_this_run,
       s.articles = count(*) AS new_story
FROM articles AS a
JOIN stories AS s USING (story_id)
WHERE a.run_id = $run_id
GROUP BY s.story_id, s.label, s.articles, s.sources
ORDER BY s.articles DESC, from_this_run DESC, s.label
LIMIT 10;
