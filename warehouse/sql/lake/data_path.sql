-- Lake only: where the lake's Parquet files are, as its catalog records it: a local folder or
-- s3://bucket/prefix/.
SELECT value AS data_path
FROM lake.options()
WHERE option_name = 'data_path';
