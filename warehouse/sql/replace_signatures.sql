-- Recomputed signatures, LSH bands and term vectors (`resigned`) in place of the stale ones;
-- marks of articles since deleted go too.
DELETE FROM article_signatures WHERE article_id IN (SELECT article_id FROM resigned);
DELETE FROM minhash_bands WHERE article_id IN (SELECT article_id FROM resigned);
DELETE FROM article_terms WHERE article_id IN (SELECT article_id FROM resigned);

INSERT INTO article_signatures
SELECT article_id, shingles, signature FROM resigned WHERE signature IS NOT NULL;

-- As land_signatures.sql: a text without shingles gets no bands.
INSERT INTO minhash_bands
SELECT (generate_subscripts(bands, 1) - 1)::SMALLINT AS band, unnest(bands) AS hash, article_id
FROM resigned WHERE shingles > 0;

INSERT INTO article_terms
SELECT article_id, unnest(terms) AS term, generate_subscripts(terms, 1) AS rank,
       unnest(weights) AS weight
FROM resigned;

DELETE FROM stale_signatures
WHERE article_id IN (SELECT article_id FROM resigned)
   OR article_id NOT IN (SELECT article_id FROM articles);

-- Tell in-memory similarity indexes (this process's included) that these tables changed.
UPDATE index_version SET version = version + 1;
