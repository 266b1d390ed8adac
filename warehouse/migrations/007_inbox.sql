-- A feed or OPML file dropped into the inbox is remembered like an article file, but it is
-- not one article.
ALTER TABLE file_state ALTER COLUMN article_id DROP NOT NULL;
