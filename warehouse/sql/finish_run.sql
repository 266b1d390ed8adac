UPDATE runs SET
    finished_at = $finished_at,
    status = $status,
    items_seen = $items_seen,
    unchanged = $unchanged,
    items_read = $items_read,
    new_articles = $new_articles,
    duplicates = $duplicates,
    errors = $errors,
    message = $message
WHERE run_id = $run_id;
