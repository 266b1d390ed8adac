-- The outlet an article came from, for counting the sources of a story: a page's host
-- (without www.), else the declared site name, else its original's, else (a local file
-- nobody named) the article itself, with its copies counting as their original. Counting
-- files instead made a story of 5 outlets and 3 copies say "8 sources".
CREATE VIEW article_outlets AS
SELECT
    a.article_id,
    coalesce(
        nullif(regexp_replace(lower(regexp_extract(a.url, '^https?://([^/:?#]+)', 1)),
                              '^www\.', ''), ''),
        nullif(lower(trim(a.site_name)), ''),
        nullif(regexp_replace(lower(regexp_extract(o.url, '^https?://([^/:?#]+)', 1)),
                              '^www\.', ''), ''),
        nullif(lower(trim(o.site_name)), ''),
        coalesce(a.duplicate_of, a.article_id)
    ) AS outlet
FROM articles AS a
LEFT JOIN articles AS o ON o.article_id = a.duplicate_of;

CREATE OR REPLACE VIEW stories AS
SELECT
    a.story_id,
    arg_min(a.title, (coalesce(a.published_at, a.ingested_at), a.article_id)) AS label,
    min(coalesce(a.published_at, a.ingested_at)) AS first_seen,
    max(coalesce(a.published_at, a.ingested_at)) AS last_seen,
    count(*) AS articles,
    count(*) FILTER (WHERE a.duplicate_of IS NULL) AS originals,
    count(DISTINCT o.outlet) AS sources
FROM articles AS a
JOIN article_outlets AS o USING (article_id)
WHERE a.story_id IS NOT NULL
GROUP BY a.story_id;
