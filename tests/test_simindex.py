"""The in-memory similarity index: the same answers as the warehouse it caches, kept current
across batches, reloaded when another process wrote, untouched by a batch that rolled back."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from tasks.extract.clean_text import clean_text
from tasks.extract.document import build_article
from tasks.land import Batch, land_batch
from tasks.models import Article, SourceItem
from tasks.relate import simindex
from tests.conftest import SEEDS, rows
from warehouse import relations, store


def article(name: str, text: str, published: datetime | None = None) -> Article:
    item = SourceItem("file", name, f"/test/{name}", 0, 0)
    fields = {"title": name, "text": text, "published_at": published}
    return build_article(item, fields, text, "test", "0" * 64, 0, "utf-8", item.path, {})


def seed_articles() -> list[Article]:
    found = []
    for path in sorted(SEEDS.glob("*.txt")):
        cleaned = clean_text(path.read_text(encoding="utf-8"))
        found.append(article(path.name, cleaned.text, cleaned.published_at))
    return found


def edited(a: Article, name: str) -> Article:
    """A re-post: the same text with its first sentence dropped and a word changed, undated
    (so the original, dated, stays the original)."""
    text = a.text.split(". ", 1)[1].replace("troops", "soldiers")
    return article(name, text)


@pytest.fixture()
def warehouse(tmp_path: Path) -> str:
    path = str(tmp_path / "index.duckdb")
    yield path
    simindex.forget(path)


def index_of(warehouse: str) -> simindex.SimilarityIndex:
    with store.connect(warehouse) as con:
        return simindex.load(con, relations.index_version(con))


def test_incremental_index_answers_like_one_loaded_from_the_warehouse(warehouse: str) -> None:
    seeds = seed_articles()
    land_batch(warehouse, "r1", Batch(articles=seeds[:2]))
    land_batch(warehouse, "r2", Batch(articles=seeds[2:4]))
    cached = simindex._CACHE[str(Path(warehouse).resolve())]
    loaded = index_of(warehouse)
    assert cached.version == loaded.version == 2
    assert sorted(cached.ids) == sorted(loaded.ids) and len(cached) == 4

    probe = [seeds[4], edited(seeds[0], "repost.txt")]
    answers = []
    for index in (cached, loaded):
        batch = index.records(probe)
        near = index.near_candidates(batch)
        similar = index.story_candidates(batch, window_s=7 * 86400, max_df=300, max_candidates=40)
        answers.append(
            (
                near,
                index.score(batch, near),
                sorted((s.article_id, s.other_id, round(s.similarity, 5)) for s in similar),
            )
        )
    assert answers[0] == answers[1]
    near, _, similar = answers[0]
    repost_id = probe[1].article_id
    assert (min(repost_id, seeds[0].article_id), max(repost_id, seeds[0].article_id)) in near
    # The fifth seed is about the same event as the others: story candidates for all four.
    assert {o for a, o, _ in similar if a == seeds[4].article_id} >= {
        s.article_id for s in seeds[:4]
    }


def test_a_write_by_another_process_is_seen(warehouse: str) -> None:
    seeds = seed_articles()
    key = str(Path(warehouse).resolve())
    land_batch(warehouse, "r1", Batch(articles=seeds[:1]))
    stale = simindex._CACHE[key]
    # Another process lands seeds[1]: this process's index never hears of it...
    simindex.forget(warehouse)
    land_batch(warehouse, "r2", Batch(articles=seeds[1:2]))
    simindex._CACHE[key] = stale
    # ...until the warehouse's version tells it to reload: the copy of seeds[1] is found.
    copy = edited(seeds[1], "copy.txt")
    landed = land_batch(warehouse, "r3", Batch(articles=[copy]))
    assert landed.duplicates == 1
    assert rows(
        warehouse, "SELECT duplicate_of FROM articles WHERE article_id = ?", [copy.article_id]
    ) == [(seeds[1].article_id,)]
    assert len(simindex._CACHE[key]) == 3


def test_a_batch_that_rolls_back_leaves_the_index_as_it_was(
    warehouse: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    seeds = seed_articles()
    land_batch(warehouse, "r1", Batch(articles=seeds[1:2]))
    before = len(simindex._CACHE[str(Path(warehouse).resolve())])

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("tasks.relate.batch.assign_stories", broken)
    with pytest.raises(RuntimeError):
        land_batch(warehouse, "r2", Batch(articles=seeds[2:4]))
    monkeypatch.undo()
    assert len(simindex._CACHE[str(Path(warehouse).resolve())]) == before
    assert rows(warehouse, "SELECT count(*) FROM articles") == [(1,)]
    landed = land_batch(warehouse, "r3", Batch(articles=[*seeds[2:4], edited(seeds[1], "c")]))
    assert (landed.new_articles, landed.duplicates) == (3, 1)
    assert rows(warehouse, "SELECT count(DISTINCT story_id) FROM articles") == [(1,)]


def test_index_memory_is_reported(warehouse: str) -> None:
    land_batch(warehouse, "r1", Batch(articles=seed_articles()))
    index = simindex._CACHE[str(Path(warehouse).resolve())]
    # 5 signatures of 128 uint32 alone are 2,560 bytes.
    assert index.nbytes >= 5 * 128 * 4
