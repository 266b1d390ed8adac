-- PostgreSQL, not DuckDB (warehouse/hosts.py): the politeness state every worker of a lake
-- shares, in the catalog's database beside DuckLake's tables. Made idempotently by every
-- worker as it starts, sent as one query (one implicit transaction). Two concurrent CREATE
-- ... IF NOT EXISTS of one table can both pass the check, and one then fails on PostgreSQL's
-- own catalog keys: the transaction lock makes first workers take turns.
SELECT pg_advisory_xact_lock(hashtext('newsflow_hosts schema'));

CREATE SCHEMA IF NOT EXISTS newsflow_hosts;

-- One row per host name, written by the worker whose turn just ended.
CREATE TABLE IF NOT EXISTS newsflow_hosts.hosts (
    host text PRIMARY KEY,
    next_fetch_at timestamptz NOT NULL,  -- the last start plus the spacing (crawl delay)
    retry_after_until timestamptz NOT NULL,  -- no start before this (the host's Retry-After)
    fetches bigint NOT NULL DEFAULT 0,
    last_worker text  -- the application_name of the last worker: host and pid
);

-- One row per origin (scheme://host:port, as RFC 9309 scopes robots.txt).
CREATE TABLE IF NOT EXISTS newsflow_hosts.robots (
    origin text PRIMARY KEY,
    body text,  -- NULL: no usable robots.txt, everything allowed (or unavailable below)
    unavailable text,  -- why the host is off limits until expires_at (robots.txt unreachable)
    fetched_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    fetched_by text
);
