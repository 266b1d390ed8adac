-- Replace the enrichment of the articles in `enriched` (ENRICHMENT_SCHEMA) with its rows.
DELETE FROM article_topics WHERE article_id IN (SELECT article_id FROM enriched);
DELETE FROM article_entities WHERE article_id IN (SELECT article_id FROM enriched);
DELETE FROM claims WHERE article_id IN (SELECT article_id FROM enriched);

INSERT INTO article_topics SELECT article_id, unnest(topics, recursive := true) FROM enriched;
INSERT INTO article_entities SELECT article_id, unnest(entities, recursive := true) FROM enriched;
INSERT INTO claims SELECT article_id, unnest(claims, recursive := true) FROM enriched;
