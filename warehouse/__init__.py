"""The warehouse: the only code that talks to DuckDB."""
