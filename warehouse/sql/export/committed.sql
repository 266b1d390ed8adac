-- Whether export $export_id into $out_dir committed (its files may then be published).
SELECT count(*) > 0 AS committed
FROM exports
WHERE out_dir = $out_dir AND export_id = $export_id
