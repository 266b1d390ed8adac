"""Which copy is the original and how duplicates are counted: the first landed stays the
original among equally dated copies, runs count what they landed, stories count outlets."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from flows.cli import main
from flows.ingest import ingest_files, ingest_seeds
from tasks.relate.duplicates import copies_landed
from tests.conftest import SEEDS, rows


def _group(*members: tuple[str, str, bool]) -> list[dict]:
    return [{"article_id": a, "original_id": o, "is_new": new} for a, o, new in members]


def test_new_copies_of_landed_articles_all_count() -> None:
    # x and y arrive after o: both are copies, even when x carries an earlier date and so
    # becomes the group's original.
    assert copies_landed(_group(("o", "o", False), ("x", "o", True), ("y", "o", True))) == {
        "x",
        "y",
    }
    assert copies_landed(_group(("o", "x", False), ("x", "x", True))) == {"x"}


def test_a_group_of_new_articles_counts_all_but_its_original() -> None:
    assert copies_landed(_group(("a", "a", True), ("b", "a", True), ("c", "a", True))) == {
        "b",
        "c",
    }
    assert copies_landed(_group(("s", "s", True))) == set()  # no copies at all


@pytest.mark.usefixtures("prefect_server")
def test_copies_dropped_later_are_the_copies(warehouse: str, tmp_path: Path) -> None:
    ingest_seeds(directory=str(SEEDS), warehouse=warehouse)
    seeds = dict(rows(warehouse, "SELECT source_uri, article_id FROM articles"))
    copies = tmp_path / "copies"
    copies.mkdir()
    for seed in sorted(SEEDS.iterdir())[:3]:
        shutil.copy(seed, copies / f"copy-{seed.name}")
    summary = ingest_files(paths=[str(copies)], warehouse=warehouse)
    # Before: "new 3 (0 duplicates)" and the seeds relabelled as copies of the new files.
    assert (summary.new_articles, summary.duplicates) == (3, 3)
    originals = rows(
        warehouse, "SELECT source_uri FROM articles WHERE duplicate_of IS NULL ORDER BY 1"
    )
    assert [uri for (uri,) in originals] == sorted(seeds)
    pointed = rows(
        warehouse,
        "SELECT regexp_extract(c.source_uri, 'copy-(.*)$', 1), o.source_uri FROM articles AS c "
        "JOIN articles AS o ON o.article_id = c.duplicate_of ORDER BY 1",
    )
    assert [(name, Path(uri).name) for name, uri in pointed] == [
        (Path(s).name, Path(s).name) for s in sorted(seeds)[:3]
    ]
    # Runs count what they landed, so their counts add up to the copies in the warehouse.
    assert rows(warehouse, "SELECT sum(duplicates) FROM runs") == rows(
        warehouse, "SELECT count(*) FROM articles WHERE duplicate_of IS NOT NULL"
    )

    # A story told by 5 files and 3 copies of them has 5 sources, not 8.
    assert rows(warehouse, "SELECT articles, originals, sources FROM stories") == [(8, 5, 5)]
    runner = CliRunner()
    once = runner.invoke(main, ["--warehouse", warehouse, "claims", "--unit", "troops"])
    every = runner.invoke(
        main, ["--warehouse", warehouse, "claims", "--unit", "troops", "--with-copies"]
    )
    assert once.exit_code == 0 and every.exit_code == 0, once.output + every.output
    claim_rows = rows(
        warehouse,
        "SELECT count(*) FILTER (WHERE a.duplicate_of IS NULL), count(*) FROM claims "
        "JOIN articles AS a USING (article_id) WHERE unit = 'troops'",
    )[0]
    assert claim_rows[0] < claim_rows[1]  # the copies repeat some of the seeds' claims
    assert f"({claim_rows[0]} rows)" in once.output
    assert f"({claim_rows[1]} rows)" in every.output


@pytest.mark.usefixtures("prefect_server")
def test_a_large_group_of_templated_items_is_one_group_with_few_pairs_each(
    warehouse: str, tmp_path: Path
) -> None:
    # Items that differ by a number only (a templated wire, a spam feed): every one shares
    # bands with every other. Pairing each with all the others grew with the square of the
    # group and stalled a 50,000-entry feed; a few pairs each join the group as well.
    from tasks.relate.simindex import NEAR_PARTNERS

    folder = tmp_path / "templated"
    folder.mkdir()
    n = 150
    for i in range(n):
        (folder / f"item-{i:03}.txt").write_text(
            f"Council approved plan number {i}\n\nThe city council approved plan number {i} "
            f"to expand the tram network by {i} metres on Monday, the officials said in a "
            "statement to the press today. Work on the new line is to start in the spring "
            "and end before the next winter, the council said.",
            encoding="utf-8",
        )
    summary = ingest_files(paths=[str(folder)], warehouse=warehouse, batch_size=40)
    assert summary.new_articles == n
    originals = rows(warehouse, "SELECT count(*) FROM articles WHERE duplicate_of IS NULL")
    assert originals == [(1,)]
    assert summary.duplicates == n - 1
    (pairs,) = rows(warehouse, "SELECT count(*) FROM duplicate_pairs")[0]
    assert n - 1 <= pairs <= n * NEAR_PARTNERS
