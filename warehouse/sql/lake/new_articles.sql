-- Lake only (DuckLake has no RETURNING): the ids of the batch's articles (`batch`) not landed
-- before. land_articles.sql (lake variant) then inserts exactly these, in the same transaction.
SELECT DISTINCT article_id
FROM batch
WHERE article_id NOT IN (SELECT article_id FROM articles)
ORDER BY article_id;
