-- Enrichment, GDELT-style but offline: topics on the IPTC Media Topics taxonomy, persons,
-- organisations and places, and numeric claims, each a plain table keyed by article_id.
-- articles.language is now the detected language (the page's declaration when the text is
-- too short to tell).

CREATE TABLE article_topics (
    article_id  VARCHAR NOT NULL,
    topic       VARCHAR NOT NULL,   -- IPTC Media Topics code, e.g. medtop:16000000
    topic_name  VARCHAR NOT NULL,   -- e.g. conflict, war and peace
    score       FLOAT NOT NULL,
    rank        SMALLINT NOT NULL   -- 1 = the article's main topic
);

CREATE TABLE article_entities (
    article_id    VARCHAR NOT NULL,
    entity        VARCHAR NOT NULL,  -- canonical name: aliases folded ("Yoon" -> Yoon Suk Yeol)
    entity_type   VARCHAR NOT NULL,  -- person | organisation | place
    mentions      INTEGER NOT NULL,
    country_code  VARCHAR,           -- ISO 3166-1 alpha-2: a place's country, or an organisation's
    first_offset  INTEGER NOT NULL   -- of the first mention in the text; -1: only in the title
);

CREATE TABLE claims (
    article_id   VARCHAR NOT NULL,
    claim_no     SMALLINT NOT NULL,  -- order in the text
    value        DOUBLE NOT NULL,
    value_high   DOUBLE,             -- upper end of a range
    qualifier    VARCHAR NOT NULL,   -- exact | approx | at_least | at_most | more_than | less_than | range | projection
    unit         VARCHAR,            -- what is counted, normalised: troops, people, usd, percent, ...
    subject      VARCHAR,            -- the counted noun phrase as written
    horizon      VARCHAR,            -- for projections: "by December"
    quantity     VARCHAR NOT NULL,   -- the quantity as written
    sentence     VARCHAR NOT NULL,
    char_offset  INTEGER NOT NULL
);
