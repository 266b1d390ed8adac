-- Add configured sources (the `configured` table) and refresh their settings; state is kept.
INSERT INTO sources (source_id, kind, name, url, poll_minutes, max_items)
SELECT source_id, kind, name, url, poll_minutes, max_items FROM configured
ON CONFLICT (source_id) DO UPDATE SET
    name = excluded.name,
    poll_minutes = excluded.poll_minutes,
    max_items = excluded.max_items;
