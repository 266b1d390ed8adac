-- Every article but the batch being landed (`new_ids`), with its MinHash signature: the rows
-- of the in-memory similarity index.
SELECT
    a.article_id,
    epoch(a.published_at) AS published,
    coalesce(s.shingles, 0) AS shingles,
    s.signature
FROM articles AS a
LEFT JOIN article_signatures AS s USING (article_id)
WHERE a.article_id NOT IN (SELECT article_id FROM new_ids);
