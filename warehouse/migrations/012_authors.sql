-- The author names apart, cleaned (no e-mails, URLs, ids, the outlet's own name); `author`
-- stays as them joined with ", ". Articles landed before this keep an empty list only where
-- they had no author: their joined string is split back on ", ".
ALTER TABLE articles ADD COLUMN authors VARCHAR[];
UPDATE articles
SET authors = CASE
    WHEN author IS NULL OR trim(author) = '' THEN []
    ELSE list_filter(list_transform(string_split(author, ', '), a -> trim(a)), a -> a <> '')
END;
