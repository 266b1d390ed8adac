-- Point every member of the touched groups (`originals`) at its group's original.
UPDATE articles SET duplicate_of = o.duplicate_of
FROM originals AS o
WHERE articles.article_id = o.article_id AND articles.duplicate_of IS DISTINCT FROM o.duplicate_of;
