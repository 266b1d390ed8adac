-- DuckLake variant of sql/record_pairs.sql: a pair (article_id, other_id) recorded before is
-- skipped, and one listed twice lands once (the first, as INSERT OR IGNORE does).
INSERT INTO duplicate_pairs BY NAME
SELECT p.* EXCLUDE (_n), $now AS found_at
FROM (SELECT *, row_number() OVER () AS _n FROM pairs) AS p
WHERE NOT EXISTS (
    SELECT 1 FROM duplicate_pairs AS d
    WHERE d.article_id = p.article_id AND d.other_id = p.other_id
)
QUALIFY row_number() OVER (PARTITION BY p.article_id, p.other_id ORDER BY p._n) = 1;
