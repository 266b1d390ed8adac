-- DuckLake variant of sql/sync_sources.sql: ON CONFLICT as a MERGE on source_id. Add
-- configured sources (the `configured` table) and refresh their settings; state is kept.
MERGE INTO sources AS t
USING (
    SELECT source_id, kind, name, url, poll_minutes, max_items
    FROM (SELECT *, row_number() OVER () AS _n FROM configured)
    QUALIFY row_number() OVER (PARTITION BY source_id ORDER BY _n) = 1
) AS s
ON t.source_id = s.source_id
WHEN MATCHED THEN UPDATE SET
    name = s.name, poll_minutes = s.poll_minutes, max_items = s.max_items
WHEN NOT MATCHED THEN INSERT (source_id, kind, name, url, poll_minutes, max_items)
    VALUES (s.source_id, s.kind, s.name, s.url, s.poll_minutes, s.max_items);
