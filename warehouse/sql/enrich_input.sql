-- What enrichment reads of the articles in `wanted`.
SELECT article_id, title, text, language
FROM articles
WHERE article_id IN (SELECT article_id FROM wanted)
ORDER BY article_id;
