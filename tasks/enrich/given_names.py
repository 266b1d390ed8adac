"""The list of given names (data/entities_given_names.txt), in a module light to import: the
entity tagger reads it, and so do the author rules of tasks/extract/metadata.py, which must
not load the tagger's word frequencies to do so."""

from __future__ import annotations

from pathlib import Path

GIVEN_NAMES_FILE = Path(__file__).resolve().parent / "data" / "entities_given_names.txt"


def read_given_names(path: Path = GIVEN_NAMES_FILE) -> list[str]:
    """The names in a list file, one a line; blank lines and '#' comments skipped."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and line[0] != "#"]
