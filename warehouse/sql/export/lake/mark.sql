-- DuckLake variant of sql/export/mark.sql: INSERT OR REPLACE as a MERGE on (out_dir,
-- table_name). Record what this export wrote for one table.
MERGE INTO exports AS t
USING (
    SELECT
        $out_dir AS out_dir, $table_name AS table_name,
        $exported_through::TIMESTAMP AS exported_through, $rows_through::BIGINT AS rows_through,
        $export_id AS export_id, $exported_at::TIMESTAMP AS exported_at,
        $rows_written::BIGINT AS rows_written, $files_written::INTEGER AS files_written,
        $full_rewrite::BOOLEAN AS full_rewrite,
        $rows_hash::BIGINT AS rows_hash  -- last, as migration 016 added it: SET * is by position
) AS s
ON t.out_dir = s.out_dir AND t.table_name = s.table_name
WHEN MATCHED THEN UPDATE SET *
WHEN NOT MATCHED THEN INSERT BY NAME;
