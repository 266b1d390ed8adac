-- The columns each Parquet file of a table's copy holds ($files: the files' paths), nested
-- fields' names among them: the first export after an upgrade checks the copy against the
-- columns the warehouse has now (warehouse/export.py _missing_columns).
SELECT file_name, list(name) AS columns
FROM parquet_schema($files)
GROUP BY file_name
