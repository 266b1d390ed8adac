-- The tables and views of this warehouse, to export those it has.
SELECT table_name AS name
FROM information_schema.tables
WHERE table_catalog = current_database() AND table_schema = 'main'
