-- The similarity index's version: bumped by every transaction that changes the indexed tables.
SELECT version FROM index_version;
