-- Count the new articles' indexed terms (rank <= $top_terms) into term_df.
INSERT INTO term_df
SELECT term, count(*) AS df
FROM article_terms
WHERE article_id IN (SELECT article_id FROM new_ids) AND rank <= $top_terms
GROUP BY term
ON CONFLICT (term) DO UPDATE SET df = term_df.df + excluded.df;
