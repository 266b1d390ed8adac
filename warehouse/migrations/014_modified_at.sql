-- When the page says it was last changed (dateModified, article:modified_time), in UTC like
-- published_at and kept apart from it. NULL for articles landed before this, for pages that
-- do not say, and for text files and feed entries.
ALTER TABLE articles ADD COLUMN modified_at TIMESTAMP;
