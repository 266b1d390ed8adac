-- Articles being replaced (`old_ids`), and everything derived from them; reprocess inserts
-- their re-extracted versions next, in the same transaction.
DELETE FROM articles WHERE article_id IN (SELECT article_id FROM old_ids);
DELETE FROM article_signatures WHERE article_id IN (SELECT article_id FROM old_ids);
DELETE FROM minhash_bands WHERE article_id IN (SELECT article_id FROM old_ids);
DELETE FROM article_terms WHERE article_id IN (SELECT article_id FROM old_ids);
DELETE FROM article_topics WHERE article_id IN (SELECT article_id FROM old_ids);
DELETE FROM article_entities WHERE article_id IN (SELECT article_id FROM old_ids);
DELETE FROM claims WHERE article_id IN (SELECT article_id FROM old_ids);
DELETE FROM duplicate_pairs
WHERE article_id IN (SELECT article_id FROM old_ids) OR other_id IN (SELECT article_id FROM old_ids);
-- In-memory similarity indexes of this warehouse no longer match it.
UPDATE index_version SET version = version + 1;
