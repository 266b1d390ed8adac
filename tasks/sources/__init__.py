"""Sources: where items come from (local files, the feed registry, feeds, sitemaps, HTTP)."""
