-- LSH band hashes of the articles being indexed (`index_rows`: article_id -> row).
SELECT r.row, b.hash
FROM minhash_bands AS b
JOIN index_rows AS r USING (article_id);
