-- Near-duplicate signatures, version 3 (tasks/relate/minhash.py SIGNATURE_VERSION): Thai,
-- Lao, Myanmar and Khmer, written without spaces between words, are shingled as overlapping
-- character pairs (tasks/extract/scripts.py space_han_kana) instead of one word per run
-- between two spaces, where a copy with one character in ten changed was no copy. Only the
-- articles with such letters change: this marks their signatures, bands and term vectors
-- stale; the relate stage recomputes them before it next compares anything and records the
-- copies the new signatures pair (tasks/relate/resign.py).
INSERT INTO stale_signatures
SELECT article_id FROM articles
WHERE regexp_matches(coalesce(title, '') || text, '[\x{0E00}-\x{0EFF}\x{1000}-\x{109F}\x{1780}-\x{17FF}]')
    AND article_id NOT IN (SELECT article_id FROM stale_signatures);
