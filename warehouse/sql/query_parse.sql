-- The parse tree of a user's SQL (store.query checks which table functions it calls), and the
-- table macros it may call: DuckDB's own and the warehouse's (user SQL cannot create any).
SELECT
    json_serialize_sql($sql) AS parsed,
    (SELECT list(function_name) FROM duckdb_functions() WHERE function_type = 'table_macro')
        AS table_macros
