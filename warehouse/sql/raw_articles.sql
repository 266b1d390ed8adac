-- Articles that came from a page in the raw store, with what re-extraction needs.
SELECT
    a.article_id, a.source_kind, a.source_uri, a.fetched_url, a.raw_sha256, r.path,
    r.charset, r.size,
    f.guid, f.url AS entry_url, f.title AS entry_title, f.published_at AS entry_published_at
FROM articles AS a
JOIN raw_pages AS r ON r.sha256 = a.raw_sha256
LEFT JOIN feed_items AS f ON f.article_id = a.article_id
WHERE a.fetched_url IS NOT NULL
ORDER BY a.ingested_at, a.article_id;
