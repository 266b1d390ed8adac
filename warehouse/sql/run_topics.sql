-- The main topics of a run's new articles (run $run_id), for its report.
SELECT t.topic_name AS topic, count(*) AS articles
FROM articles AS a
JOIN article_topics AS t USING (article_id)
WHERE a.run_id = $run_id AND t.rank = 1
GROUP BY ALL
ORDER BY articles DESC, topic
LIMIT 10;
