-- DuckLake variant of migrations/013_signatures_v2.sql: DuckLake has no PRIMARY KEY or UNIQUE, so
-- the key columns are NOT NULL and the statements that land rows keep them unique
-- (warehouse/sql/lake/). Otherwise the same tables, columns and types.
-- Near-duplicate signatures, version 2 (tasks/relate/minhash.py SIGNATURE_VERSION): 3-word
-- shingles of the prose (headline and link lines left out) instead of 5-word shingles of the
-- whole text; story terms for Chinese, Japanese and Korean (tasks/relate/stories.py).
-- Recomputing them needs Python, so this marks every article's signature, LSH bands and term
-- vector stale; the relate stage recomputes them from articles.title and .text before it next
-- compares anything, and records the copies the new signatures pair
-- (tasks/relate/resign.py). A later signature change marks them again with a new migration.
CREATE TABLE stale_signatures (article_id VARCHAR NOT NULL);
INSERT INTO stale_signatures SELECT article_id FROM articles;
