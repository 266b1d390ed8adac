"""Enrichment: language, topics, named entities and numeric claims of an article's text."""
