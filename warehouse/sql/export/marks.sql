-- Where the last export into $out_dir got, per table.
SELECT table_name, exported_through, rows_through, rows_hash
FROM exports
WHERE out_dir = $out_dir
