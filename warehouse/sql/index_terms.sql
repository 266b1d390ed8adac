-- Term vectors of the articles being indexed (`index_rows`: article_id -> row).
SELECT r.row, t.term, t.rank, t.weight
FROM article_terms AS t
JOIN index_rows AS r USING (article_id);
