"""Load the SQL files shipped in this package.

A DuckLake warehouse (warehouse/lake.py) has no primary keys, UNIQUE, ON CONFLICT or
RETURNING, so the few statements and migrations that rely on them have a lake variant in a
`lake/` folder beside them (warehouse/sql/lake/, warehouse/migrations/lake/); every other
file serves both engines (docs/scale-out.md lists which and why).
"""

from __future__ import annotations

from functools import cache
from importlib import resources

FILE = "duckdb"  # a DuckDB file: every statement as written
LAKE = "ducklake"  # a DuckLake: the lake/ variant where there is one


@cache
def load(name: str, dialect: str = FILE) -> str:
    """The text of warehouse/<name>, e.g. "sql/land_articles.sql" or "queries/articles.sql",
    or of its lake variant (warehouse/sql/lake/land_articles.sql) for a lake."""
    root = resources.files("warehouse")
    if dialect == LAKE:
        folder, _, file = name.rpartition("/")
        variant = root.joinpath(folder, "lake", file) if folder else root.joinpath("lake", file)
        if variant.is_file():
            return variant.read_text(encoding="utf-8")
    return root.joinpath(name).read_text(encoding="utf-8")


def has_variant(name: str) -> bool:
    """Whether warehouse/<name> has a lake variant."""
    folder, _, file = name.rpartition("/")
    return resources.files("warehouse").joinpath(folder, "lake", file).is_file()


def migrations(dialect: str = FILE) -> list[tuple[int, str, str]]:
    """(version, file name, sql) for each migration, in order; for a lake, a migration's
    variant in migrations/lake/ (same name) stands in for it."""
    folder = resources.files("warehouse").joinpath("migrations")
    found = []
    for entry in folder.iterdir():
        if entry.name.endswith(".sql"):
            text = load(f"migrations/{entry.name}", dialect)
            found.append((int(entry.name.split("_", 1)[0]), entry.name, text))
    return sorted(found)
