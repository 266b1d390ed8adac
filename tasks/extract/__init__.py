"""Extraction: raw bytes to a clean Article (read, decode, one document, the worker pool)."""
