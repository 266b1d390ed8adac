-- Confirmed duplicate pairs (`pairs`); the later copy (by the group order) is article_id.
INSERT OR IGNORE INTO duplicate_pairs BY NAME
SELECT *, $now AS found_at FROM pairs;
