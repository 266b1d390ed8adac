-- Which of the `entries` (source_id, guid, url, link) were seen before: by the same feed's
-- GUID, by canonical URL from any source, or by the link an article was fetched from (a page
-- that declares another URL than its link, e.g. a sitemap's http:// for its https://, has no
-- feed GUID to be known by: it was fetched again on every run of its sitemap).
SELECT e.source_id, e.guid
FROM entries AS e
WHERE EXISTS (SELECT 1 FROM feed_items f WHERE f.source_id = e.source_id AND f.guid = e.guid)
   OR (e.url IS NOT NULL AND (
        EXISTS (SELECT 1 FROM feed_items f WHERE f.url = e.url AND f.article_id IS NOT NULL)
        OR EXISTS (SELECT 1 FROM articles a WHERE a.url = e.url)
   ))
   OR (e.link IS NOT NULL AND EXISTS (SELECT 1 FROM articles a WHERE a.source_uri = e.link));
