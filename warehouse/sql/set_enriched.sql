-- The articles in `enriched` were enriched at $now, in the language it found.
UPDATE articles SET language = coalesce(e.language, articles.language), enriched_at = $now
FROM enriched AS e
WHERE articles.article_id = e.article_id;
