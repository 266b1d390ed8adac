"""Fetching over HTTP: the polite, capped fetcher and the guard against private addresses."""
