-- Feed and site health: one row per configured source, failing ones first.
SELECT
    url,
    kind,
    coalesce(name, url) AS source,
    CASE
        WHEN last_polled_at IS NULL THEN 'new'
        WHEN consecutive_failures = 0 THEN 'ok'
        WHEN last_error_kind = 'hard' THEN 'failing (hard)'
        ELSE 'failing (' || last_error_kind || ')'
    END AS health,
    last_status,
    last_outcome,
    strftime(last_polled_at, '%Y-%m-%d %H:%M') AS last_polled,
    strftime(last_success_at, '%Y-%m-%d %H:%M') AS last_success,
    consecutive_failures AS failures,
    strftime(next_poll_at, '%Y-%m-%d %H:%M') AS next_poll,
    items_seen,
    articles_landed,
    last_error
FROM sources
ORDER BY consecutive_failures DESC, kind, source;
