-- MinHash signatures, LSH bands and term vectors of the articles this batch added (`new_ids`).
INSERT INTO article_signatures
SELECT article_id, shingles, signature FROM batch
WHERE article_id IN (SELECT article_id FROM new_ids) AND signature IS NOT NULL;

-- A text without shingles has the same bands as every other such text: it gets none.
INSERT INTO minhash_bands
SELECT (generate_subscripts(bands, 1) - 1)::SMALLINT AS band, unnest(bands) AS hash, article_id
FROM batch WHERE article_id IN (SELECT article_id FROM new_ids) AND shingles > 0;

INSERT INTO article_terms
SELECT article_id, unnest(terms) AS term, generate_subscripts(terms, 1) AS rank,
       unnest(weights) AS weight
FROM batch WHERE article_id IN (SELECT article_id FROM new_ids);

-- Tell other processes' in-memory similarity indexes that these tables changed.
UPDATE index_version SET version = version + 1 WHERE EXISTS (SELECT 1 FROM new_ids);
