-- When an article's topics, entities and claims were computed: NULL for articles landed
-- before enrichment existed or with it switched off, which `newsflow enrich` fills in.
ALTER TABLE articles ADD COLUMN enriched_at TIMESTAMP;
