"""Near-duplicates and stories across runs, in a real warehouse through real flow runs."""

from __future__ import annotations

import random
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from bench.pages import DEFAULT_ZIP as BBC
from flows.cli import main
from flows.ingest import ingest_files, ingest_seeds
from tasks.extract.clean_text import clean_text
from tests.conftest import SEEDS, rows

pytestmark = pytest.mark.usefixtures("prefect_server")


def repost(text: str) -> str:
    """A re-post: a new headline, a sentence dropped, boilerplate around, words changed."""
    cleaned = clean_text(text)
    paragraphs = cleaned.text.split("\n")
    paragraphs[1] = paragraphs[1].split(". ", 1)[-1]  # drop the first sentence
    body = "\n\n".join(paragraphs).replace("troops", "soldiers").replace("Seoul", "South Korea")
    return (
        "Exclusive: a new headline for the same story\n\n"
        "Share this article. Follow us for more.\n\n" + body + "\n\nSubscribe to our newsletter."
    )


def test_reposts_and_teasers_are_near_duplicates_of_the_original(
    warehouse: str, tmp_path: Path
) -> None:
    ingest_seeds(directory=str(SEEDS), warehouse=warehouse)
    seed = (SEEDS / "002_44a44f5a35d60aa0.txt").read_text(encoding="utf-8")
    (tmp_path / "repost.txt").write_text(repost(seed), encoding="utf-8")
    body = clean_text(seed).text
    teaser = "Teaser headline\n\n" + body[: int(len(body) * 0.6)]
    (tmp_path / "teaser.txt").write_text(teaser, encoding="utf-8")
    summary = ingest_files(paths=[str(tmp_path)], warehouse=warehouse)
    assert summary.duplicates == 2
    (seed_id,) = rows(warehouse, "SELECT article_id FROM articles WHERE source_uri LIKE '%002_%'")[
        0
    ]
    pairs = rows(
        warehouse,
        "SELECT regexp_extract(CASE WHEN article_id = ? THEN other_source_uri ELSE source_uri END,"
        " '[^/]+$'), method, similarity, containment, original_id FROM duplicates "
        "WHERE other_id = ? OR article_id = ? ORDER BY 1",
        [seed_id, seed_id, seed_id],
    )
    by_name = {p[0]: p[1:] for p in pairs}
    assert by_name["repost.txt"][0] == "near" and by_name["repost.txt"][1] < 1.0
    # A teaser shares little of the whole (Jaccard well below 0.8) but is contained in it.
    method, similarity, containment, _ = by_name["teaser.txt"]
    assert method == "near" and similarity < 0.8 and containment >= 0.8
    assert {p[4] for p in pairs} == {seed_id}
    # Both copies belong to the seed's story too.
    assert rows(warehouse, "SELECT count(DISTINCT story_id) FROM articles") == [(1,)]


def test_different_outlets_are_one_story_but_not_duplicates(warehouse: str) -> None:
    ingest_seeds(directory=str(SEEDS), warehouse=warehouse)
    assert rows(warehouse, "SELECT count(*) FROM articles WHERE duplicate_of IS NOT NULL") == [(0,)]
    assert rows(warehouse, "SELECT count(DISTINCT story_id) FROM articles") == [(1,)]


@pytest.mark.skipif(not BBC.exists(), reason="no BBC corpus (../shared/data or NEWSFLOW_BBC_ZIP)")
def test_unrelated_articles_join_no_seed_story(warehouse: str, tmp_path: Path) -> None:
    ingest_seeds(directory=str(SEEDS), warehouse=warehouse)
    with zipfile.ZipFile(BBC) as z:
        names = sorted(n for n in z.namelist() if n.endswith(".txt"))
        for n in random.Random(4).sample(names, 200):
            (tmp_path / n.replace("/", "_")).write_bytes(z.read(n))
    ingest_files(paths=[str(tmp_path)], warehouse=warehouse)
    seed_stories = rows(
        warehouse,
        "SELECT story_id, count(*) FROM articles WHERE story_id IN "
        "(SELECT story_id FROM articles WHERE source_kind = 'seed') GROUP BY story_id",
    )
    assert seed_stories == [(seed_stories[0][0], 5)]


def test_stories_and_duplicates_commands(warehouse: str, tmp_path: Path) -> None:
    ingest_seeds(directory=str(SEEDS), warehouse=warehouse)
    (tmp_path / "copy.txt").write_bytes((SEEDS / "001_801dbc815b007bc0.txt").read_bytes())
    ingest_files(paths=[str(tmp_path)], warehouse=warehouse)
    stories = CliRunner().invoke(main, ["--warehouse", warehouse, "stories"])
    assert stories.exit_code == 0, stories.output
    assert "6 articles from 5 sources" in stories.output  # the copy adds no outlet
    assert stories.output.count("      - ") == 6
    dups = CliRunner().invoke(main, ["--warehouse", warehouse, "duplicates"])
    assert "| exact  | 1.0" in dups.output and "001_801dbc815b007bc0.txt" in dups.output


def test_duplicates_command_finds_each_pair_by_a_hash_join(warehouse: str) -> None:
    # The pair was matched by `(a, b) IN ((copy, original), (original, copy))`, which DuckDB
    # runs as a nested-loop join of every copy with every pair: `newsflow duplicates` took
    # 4 s at 30,000 articles and minutes at 60,000 (10,000 copies, 35,000 pairs).
    import duckdb

    from warehouse import sql, store

    with store.connect(warehouse):
        pass  # an empty warehouse, made and migrated
    with duckdb.connect(warehouse, read_only=True) as con:
        ((_, plan),) = con.execute("EXPLAIN " + sql.load("queries/duplicates.sql")).fetchall()
    assert "HASH_JOIN" in plan
    assert "NL_JOIN" not in plan and "NESTED_LOOP" not in plan, plan
