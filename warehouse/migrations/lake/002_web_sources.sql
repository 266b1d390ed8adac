-- DuckLake variant of migrations/002_web_sources.sql: DuckLake has no PRIMARY KEY or
-- UNIQUE, so the key columns are NOT NULL and the statements that land rows keep them unique
-- (warehouse/sql/lake/). Otherwise the same tables, columns and types.
-- Web sources: configured feeds and sites with their polling state, the items each feed
-- listed, and an index over the content-addressed raw store of every fetched body.

CREATE TABLE sources (
    source_id            VARCHAR NOT NULL,     -- hash of the kind and the URL
    kind                 VARCHAR NOT NULL,     -- feed | site
    name                 VARCHAR,
    url                  VARCHAR NOT NULL,     -- as configured
    poll_minutes         INTEGER,
    max_items            INTEGER,
    etag                 VARCHAR,              -- from the last 200, sent as If-None-Match
    last_modified        VARCHAR,              -- sent as If-Modified-Since
    body_sha256          VARCHAR,              -- of the last body: an unchanged body is not parsed
    last_polled_at       TIMESTAMP,
    last_status          INTEGER,              -- HTTP status of the last poll
    last_outcome         VARCHAR,              -- ok | not_modified | unchanged | error
    last_error           VARCHAR,
    last_error_kind      VARCHAR,              -- hard | soft | temporary
    last_success_at      TIMESTAMP,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    next_poll_at         TIMESTAMP,            -- backs off exponentially while it fails
    items_seen           BIGINT NOT NULL DEFAULT 0,
    articles_landed      BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE feed_items (
    source_id     VARCHAR NOT NULL,
    guid          VARCHAR NOT NULL,            -- the entry's id, else its link
    url           VARCHAR,                     -- canonical link
    title         VARCHAR,
    published_at  TIMESTAMP,
    first_seen_at TIMESTAMP NOT NULL,
    run_id        VARCHAR NOT NULL,
    article_id    VARCHAR                     -- what it landed as, NULL if it failed
);  -- key (source_id, guid): sql/lake/land_feed_items.sql

CREATE TABLE raw_pages (
    sha256        VARCHAR NOT NULL,            -- of the decompressed body
    size          BIGINT NOT NULL,
    content_type  VARCHAR,
    charset       VARCHAR,                     -- from the Content-Type header
    url           VARCHAR NOT NULL,            -- the URL it was first fetched from (final, after redirects)
    path          VARCHAR NOT NULL,            -- relative to the raw store root
    fetched_at    TIMESTAMP NOT NULL
);

-- Which raw page an article came from, and how: lets `reprocess` rebuild articles offline.
ALTER TABLE articles ADD COLUMN fetched_url VARCHAR;     -- final URL after redirects
ALTER TABLE articles ADD COLUMN metadata_sources JSON;  -- field -> json-ld | opengraph | meta | trafilatura | feed
