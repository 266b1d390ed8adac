-- Which of the `entries` (source_id, guid, url) were seen before: by the same feed's GUID,
-- or by canonical URL from any source.
SELECT e.source_id, e.guid
FROM entries AS e
WHERE EXISTS (SELECT 1 FROM feed_items f WHERE f.source_id = e.source_id AND f.guid = e.guid)
   OR (e.url IS NOT NULL AND (
        EXISTS (SELECT 1 FROM feed_items f WHERE f.url = e.url AND f.article_id IS NOT NULL)
        OR EXISTS (SELECT 1 FROM articles a WHERE a.url = e.url)
   ));
