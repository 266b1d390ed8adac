-- Record the outcome of each poll (the `polls` table).
UPDATE sources AS s SET
    last_polled_at = p.polled_at,
    last_status = p.status,
    last_outcome = p.outcome,
    last_error = p.error,
    last_error_kind = p.error_kind,
    etag = CASE WHEN p.error IS NULL THEN coalesce(p.etag, s.etag) ELSE s.etag END,
    last_modified = CASE WHEN p.error IS NULL THEN coalesce(p.last_modified, s.last_modified)
                         ELSE s.last_modified END,
    body_sha256 = CASE WHEN p.error IS NULL THEN coalesce(p.body_sha256, s.body_sha256)
                       ELSE s.body_sha256 END,
    last_success_at = CASE WHEN p.error IS NULL THEN p.polled_at ELSE s.last_success_at END,
    consecutive_failures = p.consecutive_failures,
    next_poll_at = p.next_poll_at,
    items_seen = s.items_seen + p.items_seen,
    articles_landed = s.articles_landed + p.articles_landed
FROM polls AS p
WHERE s.source_id = p.source_id;
