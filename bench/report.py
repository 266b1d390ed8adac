"""How every benchmark prints its figures: one aligned line per figure."""

from __future__ import annotations


def print_rows(rows: list[tuple[str, str]]) -> None:
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"{label.ljust(width)}  {value}")
