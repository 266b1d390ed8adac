-- Duplicate pairs recorded after $after up to $through, partitioned by the date they were
-- found (a pair's article_id is the later copy by group order, not always the newer row).
SELECT p.*, p.found_at::DATE AS "date"
FROM duplicate_pairs AS p
WHERE ($after IS NULL OR p.found_at > $after) AND p.found_at <= $through
ORDER BY p.found_at, p.article_id, p.other_id
