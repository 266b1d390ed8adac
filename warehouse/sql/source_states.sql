-- The polling state of the sources in `wanted`.
SELECT source_id, etag, last_modified, body_sha256, next_poll_at, consecutive_failures
FROM sources
WHERE source_id IN (SELECT source_id FROM wanted);
