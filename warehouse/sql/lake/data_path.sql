-- Lake only: the folder of the lake's Parquet files as its catalog records it (a local path;
-- NULL for a bucket, which the read-only sandbox of `newsflow query` cannot open yet).
SELECT CASE WHEN value LIKE '%://%' THEN NULL ELSE value END AS data_path
FROM lake.options()
WHERE option_name = 'data_path';
