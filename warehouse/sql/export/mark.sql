-- Record what this export wrote for one table.
INSERT OR REPLACE INTO exports (
    out_dir, table_name, exported_through, rows_through, rows_hash, export_id, exported_at,
    rows_written, files_written, full_rewrite
)
VALUES (
    $out_dir, $table_name, $exported_through, $rows_through, $rows_hash, $export_id,
    $exported_at, $rows_written, $files_written, $full_rewrite
)
