"""A record the warehouse cannot take costs that record only: it becomes one ingest_errors
row with the reason, and the rest of its batch lands (real DuckDB file, no mocks)."""

from __future__ import annotations

from dataclasses import replace

from tasks.extract.pool import extract_batch
from tasks.land import Batch, land_batch
from tasks.sources.files import discover
from tests.conftest import SEEDS, rows


def _seed_batch() -> Batch:
    items, _ = discover([str(SEEDS)], "seed")
    articles, errors = extract_batch(items)
    assert len(articles) == 5 and not errors
    return Batch(items=items, articles=articles)


def test_one_unstorable_article_becomes_an_error_row_and_the_rest_land(warehouse: str) -> None:
    batch = _seed_batch()
    bad = batch.articles[2]
    # A value no Arrow column type here can hold (before: ArrowInvalid, the batch lost).
    batch.articles[2] = replace(bad, word_count=2**40)
    landed = land_batch(warehouse, "run-1", batch)
    assert landed.new_articles == 4
    assert rows(warehouse, "SELECT count(*) FROM articles") == [(4,)]
    errors = rows(warehouse, "SELECT source_uri, stage, error, raw_sha256 FROM ingest_errors")
    assert len(errors) == 1
    uri, stage, reason, raw_sha256 = errors[0]
    assert (uri, stage, raw_sha256) == (bad.source_uri, "land", bad.raw_sha256)
    assert reason.startswith("cannot be stored:")
    # The four that landed have their file state; the failed one is retried next time.
    states = rows(warehouse, "SELECT path FROM file_state")
    assert len(states) == 4 and bad.source_uri not in {p for (p,) in states}


def test_landing_the_same_bad_batch_again_adds_nothing(warehouse: str) -> None:
    batch = _seed_batch()
    batch.articles[0] = replace(batch.articles[0], word_count=2**40)
    land_batch(warehouse, "run-1", batch)
    again = land_batch(warehouse, "run-2", batch)
    assert (again.new_articles, again.new_errors) == (0, 0)
    assert rows(warehouse, "SELECT count(*) FROM ingest_errors") == [(1,)]
    assert rows(warehouse, "SELECT count(*) FROM articles") == [(4,)]
