-- Lock a read-only connection down before it runs a user's SQL (store.query): no file access
-- but reading what query_readable.sql named, no extension installs or loads, and no way back
-- (lock_configuration refuses every later SET). Order matters: the allowed lists and the
-- extension settings cannot change once external access is off.
-- The warehouse's timestamps are UTC without a zone: now() and current_date in UTC too, or
-- `ingested_at > now() - interval 1 hour` was off by the machine's offset from UTC (in
-- Los Angeles it took in what landed up to 9 hours ago; in Tokyo `>= current_date` missed
-- the first 9 hours of the day).
SET TimeZone = 'UTC';
SET allowed_directories = getvariable('newsflow_readable').dirs;
SET allowed_paths = getvariable('newsflow_readable').files;
SET autoinstall_known_extensions = false;
SET autoload_known_extensions = false;
SET enable_external_access = false;
SET lock_configuration = true;
