-- A bucket's credentials for DuckDB's httpfs (warehouse/lake.py open_bucket). TEMPORARY: in
-- this connection's memory only, never in ~/.duckdb/stored_secrets; scoped to the one bucket.
-- The values are parameters, so no SQL text, which an error message may quote, holds them.
CREATE OR REPLACE TEMPORARY SECRET newsflow_s3 (
    TYPE s3,
    KEY_ID $key_id,
    SECRET $secret,
    SESSION_TOKEN $session_token,
    REGION $region,
    ENDPOINT $endpoint,
    URL_STYLE $url_style,
    USE_SSL $use_ssl,
    SCOPE $scope
);
