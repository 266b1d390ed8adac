"""The in-memory similarity index: the same answers as the warehouse it caches, kept current
across batches, reloaded when another process wrote, untouched by a batch that rolled back."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from tasks.extract.clean_text import clean_text
from tasks.extract.document import build_article
from tasks.land import Batch, land_batch
from tasks.models import Article, SourceItem
from tasks.relate import minhash, simindex
from tasks.relate.stories import term_vector
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


_LINKS = (
    "Markets rally as oil price falls", "Storm closes schools across the north 2 hours ago",
    "Minister quits over expenses row", "Cup final tickets sell out in minutes",
    "New phone sales beat forecasts", "Hospital waiting lists grow again Yesterday",
    "Film festival names winners", "Bank holds interest rates", "Rail strike called off",
    "Police appeal after museum theft 35 minutes ago", "Top stories", "More headlines",
    "Council tax to rise by 4%", "Airline cuts winter routes", "Singer cancels world tour",
    "Flood defences to be reviewed", "Chess champion retires", "Trending now",
)  # fmt: skip


def teaser_among_links(a: Article, name: str) -> Article:
    """An aggregator's page: the first 40% of `a`'s paragraphs among unrelated headlines."""
    paragraphs = a.text.split("\n")
    teaser = paragraphs[: max(1, len(paragraphs) * 2 // 5)]
    return article(name, "\n".join([*_LINKS[:9], *teaser, "Read more", *_LINKS[9:]]))


def test_an_upgraded_warehouse_recomputes_its_signatures_and_finds_the_new_pairs(
    warehouse: str,
) -> None:
    seeds = seed_articles()
    copy = teaser_among_links(seeds[0], "teaser.txt")
    land_batch(warehouse, "r1", Batch(articles=[*seeds, copy]))
    # Make it the warehouse signature version 1 left: 5-word shingles of every line, the
    # teaser not paired (its containment in the seed was ~0.5), no migration 013 applied.
    articles = [*seeds, copy]
    old, counts = minhash.signatures([a.text for a in articles], shingle=5, furniture=True)
    old_j, old_c = minhash.score_pairs(old, counts, np.array([0]), np.array([len(seeds)]))
    assert not minhash.is_near_duplicate(old_j[0], old_c[0], 0.38, 0.8)
    old_rows = pa.table(
        {
            "article_id": [a.article_id for a in articles],
            "shingles": counts,
            "signature": [sig.astype("<u4").tobytes() for sig in old],
            "bands": minhash.band_hashes(old).tolist(),
        }
    )
    with store.connect(warehouse) as con:
        con.register("old_rows", old_rows)
        con.execute("DELETE FROM article_signatures; DELETE FROM minhash_bands")
        con.execute(
            "INSERT INTO article_signatures SELECT article_id, shingles, signature FROM old_rows"
        )
        con.execute(
            "INSERT INTO minhash_bands SELECT (generate_subscripts(bands, 1) - 1)::SMALLINT, "
            "unnest(bands), article_id FROM old_rows"
        )
        con.execute("UPDATE article_terms SET term = 'stale-' || term")
        con.execute("DELETE FROM duplicate_pairs")
        con.execute(
            "UPDATE articles SET duplicate_of = NULL, story_id = CASE WHEN article_id = ? "
            "THEN 's' || substr(article_id, 1, 15) ELSE story_id END",
            [copy.article_id],
        )
        con.execute("DROP TABLE IF EXISTS stale_signatures")
        con.execute("DELETE FROM schema_migrations WHERE version = 13")
    simindex.forget(warehouse)  # the old version's process is gone

    # The upgraded code lands anything: migration 013 marks every signature stale, and the
    # relate stage recomputes them before comparing the batch with them.
    newcomer = article("newcomer.txt", " ".join(f"{w} met the board on Monday." for w in _LINKS))
    land_batch(warehouse, "r2", Batch(articles=[newcomer]))

    everything = sorted([*articles, newcomer], key=lambda a: a.article_id)
    sigs, counts = minhash.signatures([a.text for a in everything])
    stored = rows(
        warehouse, "SELECT shingles, signature FROM article_signatures ORDER BY article_id"
    )
    assert stored == [
        (n, s.astype("<u4").tobytes()) for n, s in zip(counts.tolist(), sigs, strict=True)
    ]
    bands = rows(
        warehouse,
        "SELECT list(hash ORDER BY band) FROM minhash_bands GROUP BY article_id "
        "ORDER BY article_id",
    )
    assert [b for (b,) in bands] == minhash.band_hashes(sigs).tolist()
    terms = rows(
        warehouse,
        "SELECT list(term ORDER BY rank) FROM article_terms GROUP BY article_id "
        "ORDER BY article_id",
    )
    assert [t for (t,) in terms] == [list(term_vector(a.title, a.text)) for a in everything]
    assert rows(warehouse, "SELECT count(*) FROM stale_signatures") == [(0,)]
    # The teaser the old signatures missed is now a copy of the seed, in the seed's story.
    assert rows(
        warehouse,
        "SELECT c.duplicate_of, c.story_id = s.story_id FROM articles c, articles s "
        "WHERE c.article_id = ? AND s.article_id = ?",
        [copy.article_id, seeds[0].article_id],
    ) == [(seeds[0].article_id, True)]
    assert rows(warehouse, "SELECT count(*) FROM duplicate_pairs WHERE method = 'near'") == [(1,)]
    # The in-memory index holds the recomputed signatures, as one loaded afresh does.
    cached = simindex._CACHE[str(Path(warehouse).resolve())]
    loaded = index_of(warehouse)
    assert cached.version == loaded.version
    order = [cached.rows[i] for i in loaded.ids]
    assert np.array_equal(cached._signatures.values[order], loaded._signatures.values)


def test_migration_015_reweighs_the_story_terms_of_articles_not_in_english(
    warehouse: str,
) -> None:
    from tests.test_relate_decisions import FIRE_A

    seed, german = seed_articles()[0], article("brand.txt", FIRE_A)
    assert (seed.language, german.language) == ("en", "de")
    land_batch(warehouse, "r1", Batch(articles=[seed, german]))
    # The warehouse an older version left: terms weighed as English, migration 015 not run.
    with store.connect(warehouse) as con:
        con.execute("UPDATE article_terms SET term = 'old-' || term")
        con.execute("DELETE FROM stale_signatures")
        con.execute("DELETE FROM schema_migrations WHERE version = 15")
    simindex.forget(warehouse)

    land_batch(warehouse, "r2", Batch(articles=[article("other.txt", "Harbour news. " * 30)]))
    terms = dict(
        rows(warehouse, "SELECT article_id, list(term ORDER BY rank) FROM article_terms GROUP BY 1")
    )
    assert terms[german.article_id] == list(term_vector(german.title, german.text, "de"))
    assert all(t.startswith("old-") for t in terms[seed.article_id])  # English: unchanged
    assert rows(warehouse, "SELECT count(*) FROM stale_signatures") == [(0,)]
