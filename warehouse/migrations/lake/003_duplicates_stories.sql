-- DuckLake variant of migrations/003_duplicates_stories.sql: DuckLake has no PRIMARY KEY
-- or UNIQUE, so the key columns are NOT NULL and the statements that land rows keep them unique
-- (warehouse/sql/lake/). Otherwise the same tables, columns and types.
-- Near-duplicates and stories. MinHash signatures and their LSH band hashes persist, so a new
-- article is compared with everything ingested before; TF-IDF term vectors persist for story
-- assignment. duplicate_pairs says why two articles are the same; `duplicates` and `stories`
-- are views an analyst can read directly.

CREATE TABLE article_signatures (
    article_id  VARCHAR NOT NULL,
    shingles    INTEGER NOT NULL,   -- distinct normalised 5-word shingles
    signature   BLOB NOT NULL       -- MinHash, 128 little-endian uint32
);

CREATE TABLE minhash_bands (
    band        SMALLINT NOT NULL,
    hash        BIGINT NOT NULL,
    article_id  VARCHAR NOT NULL
);

CREATE TABLE article_terms (
    article_id  VARCHAR NOT NULL,
    term        VARCHAR NOT NULL,
    rank        SMALLINT NOT NULL,  -- 1 = the article's heaviest term
    weight      FLOAT NOT NULL      -- TF-IDF, the article's vector L2-normalised
);

-- How many articles have a term among their heaviest (indexed) terms: candidate lookup skips
-- terms so common that their posting lists would cost more than they tell.
CREATE TABLE term_df (
    term        VARCHAR NOT NULL,
    df          INTEGER NOT NULL
);

CREATE TABLE duplicate_pairs (
    article_id   VARCHAR NOT NULL,  -- the later copy
    other_id     VARCHAR NOT NULL,  -- the copy it matched
    method       VARCHAR NOT NULL,  -- exact | near | url
    similarity   DOUBLE,            -- estimated Jaccard of 5-word shingles (1 for exact)
    containment  DOUBLE,            -- estimated share of the smaller text found in the other
    found_at     TIMESTAMP NOT NULL
);  -- key (article_id, other_id): sql/lake/record_pairs.sql

CREATE VIEW duplicates AS
SELECT
    p.article_id, a.title, a.source_uri,
    p.other_id, o.title AS other_title, o.source_uri AS other_source_uri,
    p.method, round(p.similarity, 3) AS similarity, round(p.containment, 3) AS containment,
    coalesce(a.duplicate_of, a.article_id) AS original_id  -- the group's original
FROM duplicate_pairs AS p
JOIN articles AS a ON a.article_id = p.article_id
JOIN articles AS o ON o.article_id = p.other_id;

CREATE VIEW stories AS
SELECT
    story_id,
    arg_min(title, (coalesce(published_at, ingested_at), article_id)) AS label,
    min(coalesce(published_at, ingested_at)) AS first_seen,
    max(coalesce(published_at, ingested_at)) AS last_seen,
    count(*) AS articles,
    count(*) FILTER (WHERE duplicate_of IS NULL) AS originals,
    count(DISTINCT coalesce(site_name, regexp_extract(url, '^https?://([^/]+)', 1), source_uri))
        AS sources
FROM articles
WHERE story_id IS NOT NULL
GROUP BY story_id;
