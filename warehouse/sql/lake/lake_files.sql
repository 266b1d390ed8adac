-- The lake's live Parquet files (data and deletion files) and its snapshots, before and after
-- maintenance.
SELECT
    (SELECT coalesce(sum(file_count + delete_file_count), 0) FROM ducklake_table_info('lake'))
        AS files,
    (SELECT count(*) FROM lake.snapshots()) AS snapshots;
