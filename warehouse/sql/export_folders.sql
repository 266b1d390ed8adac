-- Every folder a Parquet export wrote to (warehouse/export.py), as absolute paths.
SELECT DISTINCT out_dir FROM exports ORDER BY out_dir
