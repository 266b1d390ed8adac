-- Pairs of articles sharing an LSH band, at least one of them re-signed (`resigned`), smaller
-- id first, with both signatures: the re-signed articles' near-duplicate candidates.
WITH pairs AS (
    SELECT DISTINCT a.article_id AS a_id, b.article_id AS b_id
    FROM minhash_bands AS a
    JOIN minhash_bands AS b ON a.band = b.band AND a.hash = b.hash AND a.article_id < b.article_id
    WHERE a.article_id IN (SELECT article_id FROM resigned)
       OR b.article_id IN (SELECT article_id FROM resigned)
)
SELECT p.a_id, p.b_id, sa.shingles AS a_shingles, sa.signature AS a_signature,
       sb.shingles AS b_shingles, sb.signature AS b_signature
FROM pairs AS p
JOIN article_signatures AS sa ON sa.article_id = p.a_id
JOIN article_signatures AS sb ON sb.article_id = p.b_id
ORDER BY p.a_id, p.b_id;
