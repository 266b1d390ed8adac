-- claim_no was SMALLINT: an article with more than 32,767 numeric claims could not land, and
-- took its whole batch with it. Enrichment now also caps the claims one article keeps
-- (tasks/enrich.py MAX_CLAIMS), but the column is widened so the number is never what stops
-- a landing. claims has no key or index, so DuckDB alters the column in place, rows kept.
ALTER TABLE claims ALTER claim_no TYPE INTEGER;
