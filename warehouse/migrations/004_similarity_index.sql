-- The similarity index (LSH bands, signatures, term vectors) is held in memory by the landing
-- process (tasks/simindex.py); index_version tells it when another process changed the
-- indexed tables. term_df gave story lookup its term counts; the in-memory index counts them.
CREATE TABLE index_version (version BIGINT NOT NULL);
INSERT INTO index_version VALUES (0);
DROP TABLE term_df;
