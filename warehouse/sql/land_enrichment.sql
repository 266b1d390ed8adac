-- Topics, entities and numeric claims of the articles this batch added (`new_ids`).
INSERT INTO article_topics
SELECT article_id, unnest(topics, recursive := true)
FROM batch WHERE article_id IN (SELECT article_id FROM new_ids);

INSERT INTO article_entities
SELECT article_id, unnest(entities, recursive := true)
FROM batch WHERE article_id IN (SELECT article_id FROM new_ids);

INSERT INTO claims
SELECT article_id, unnest(claims, recursive := true)
FROM batch WHERE article_id IN (SELECT article_id FROM new_ids);
