-- Story terms weighed by the word frequencies of the article's language (tasks/relate/
-- stories.py _lexicon), not by English ones: weighed as English, German's 'nicht', 'auch' and
-- 'werden' were among an article's rarest words, and unrelated German articles shared
-- stories on them. This marks the term vectors of every article not in English stale; the
-- relate stage recomputes them (with the signatures and bands, which come out the same) from
-- articles.title, .text and .language before it next compares anything
-- (tasks/relate/resign.py). Stories already assigned stay as they are.
INSERT INTO stale_signatures
SELECT article_id FROM articles
WHERE language IS DISTINCT FROM 'en'
    AND article_id NOT IN (SELECT article_id FROM stale_signatures);
