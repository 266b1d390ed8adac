"""The relate stage's decisions as plain functions on small inputs: which candidate pairs are
duplicates (confirm_pairs), which article of a group is the original (the duplicate-group SQL,
through warehouse.relations on a real DuckDB file), which story an article joins
(assign_stories). The flow-level tests (test_duplicates_stories.py) cover them end to end."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa

from tasks.extract.document import build_article
from tasks.land import Batch, land_batch
from tasks.models import ARTICLE_SCHEMA, ERROR_SCHEMA, PAIR_SCHEMA, Article, SourceItem, to_table
from tasks.relate import simindex
from tasks.relate.duplicates import confirm_pairs
from tasks.relate.minhash import CONTAINMENT_MIN, JACCARD_MIN
from tasks.relate.stories import (
    JOIN_MIN,
    LINK_MIN,
    NewArticle,
    Similar,
    assign_stories,
    story_id_for,
    term_vector,
)
from warehouse import relations, store

DAY = datetime(2025, 3, 1, 12, 0)

# -- which pairs are duplicates ---------------------------------------------------------------


def _pairs(candidates: list[tuple[str, str, str]], scores: list[tuple[float, float]]) -> dict:
    return {
        (p["article_id"], p["other_id"]): (p["method"], p["similarity"], p["containment"])
        for p in confirm_pairs(candidates, scores)
    }


def test_exact_pairs_stand_whatever_the_estimate_and_score_as_identical() -> None:
    assert _pairs([("a", "b", "exact")], [(0.05, 0.1)]) == {("a", "b"): ("exact", 1.0, 1.0)}


def test_same_url_pairs_stand_with_their_estimates() -> None:
    assert _pairs([("a", "b", "url")], [(0.05, 0.1)]) == {("a", "b"): ("url", 0.05, 0.1)}


def test_a_band_match_stands_on_jaccard_or_containment_alone() -> None:
    below_j, below_c = JACCARD_MIN - 0.01, CONTAINMENT_MIN - 0.01
    found = _pairs(
        [("a", "b", "near"), ("a", "c", "near"), ("b", "c", "near")],
        [(JACCARD_MIN, 0.0), (0.0, CONTAINMENT_MIN), (below_j, below_c)],
    )
    assert found == {
        ("a", "b"): ("near", JACCARD_MIN, 0.0),  # an edited copy
        ("a", "c"): ("near", 0.0, CONTAINMENT_MIN),  # a teaser inside a longer version
    }


# -- which article is the original ------------------------------------------------------------


def _article(article_id: str, published_at: datetime | None) -> Article:
    body = f"Article {article_id} about the harbour council and its boats."
    item = SourceItem("file", f"/synthetic/{article_id}.txt", f"/x/{article_id}", len(body), 0)
    article = build_article(
        item, {"title": article_id, "text": body}, body, "text-cleaner", article_id * 8,
        len(body), "utf-8", item.path, {},
    )  # fmt: skip
    return replace(article, article_id=article_id, published_at=published_at)


def _land(
    con: duckdb.DuckDBPyConnection, articles: list[Article], pairs: list[tuple[str, str]]
) -> list[dict]:
    """Insert `articles` and record `pairs` in one transaction; their duplicate groups."""
    with store.transaction(con):
        new_ids = store.insert_batch(
            con, "run", to_table(articles, ARTICLE_SCHEMA), ERROR_SCHEMA.empty_table()
        ).new_ids
        rows = [
            {"article_id": a, "other_id": b, "method": "near", "similarity": 0.5,
             "containment": 0.5}
            for a, b in pairs
        ]  # fmt: skip
        if rows:
            relations.record_pairs(con, pa.Table.from_pylist(rows, PAIR_SCHEMA), store.utcnow())
        return relations.duplicate_groups(con, new_ids)


def _originals(groups: list[dict]) -> dict[str, str]:
    return {g["article_id"]: g["original_id"] for g in groups}


def test_the_earliest_published_is_the_original_and_undated_ones_come_last(
    warehouse: str,
) -> None:
    articles = [
        _article("a", DAY + timedelta(days=1)),
        _article("b", DAY),
        _article("c", None),  # undated: never preferred to a dated copy
    ]
    with store.connect(warehouse) as con:
        groups = _land(con, articles, [("a", "b"), ("b", "c")])
    assert _originals(groups) == {"a": "b", "b": "b", "c": "b"}
    assert {g["group_size"] for g in groups} == {3}
    assert all(g["is_new"] for g in groups)


def test_among_equally_dated_copies_the_first_landed_stays_the_original(warehouse: str) -> None:
    with store.connect(warehouse) as con:
        _land(con, [_article("z", DAY)], [])
        groups = _land(con, [_article("m", DAY)], [("m", "z")])  # "m" sorts first, landed later
    assert _originals(groups) == {"m": "z", "z": "z"}
    assert {g["article_id"]: g["is_new"] for g in groups} == {"m": True, "z": False}


def test_an_article_with_no_pair_is_its_own_group(warehouse: str) -> None:
    with store.connect(warehouse) as con:
        groups = _land(con, [_article("solo", DAY)], [])
    assert [(g["article_id"], g["original_id"], g["group_size"]) for g in groups] == [
        ("solo", "solo", 1)
    ]


# -- which story an article joins -------------------------------------------------------------


def test_a_similar_article_joins_the_story_of_the_article_it_resembles() -> None:
    assigned = assign_stories(
        [NewArticle("new", DAY, None)],
        [Similar("new", "old", LINK_MIN)],
        {"old": "s-old"},
        {"s-old": 1},
    )
    assert assigned == {"new": "s-old"}


def test_a_weak_resemblance_starts_a_story_of_its_own() -> None:
    assigned = assign_stories(
        [NewArticle("new", DAY, None)],
        [Similar("new", "old", LINK_MIN - 0.01)],
        {"old": "s-old"},
        {"s-old": 1},
    )
    assert assigned == {"new": story_id_for("new")}


def test_one_strong_link_to_a_big_story_is_not_enough_its_mean_must_reach_join_min() -> None:
    # Linked (>= LINK_MIN) to one member of a 4-article story: mean 0.35 / 4 < JOIN_MIN.
    assert 0.35 / 4 < JOIN_MIN <= 0.35
    assigned = assign_stories(
        [NewArticle("new", DAY, None)],
        [Similar("new", "old", 0.35)],
        {"old": "s-big"},
        {"s-big": 4},
    )
    assert assigned == {"new": story_id_for("new")}


def test_a_copy_joins_its_originals_story_without_any_similarity() -> None:
    assigned = assign_stories([NewArticle("copy", DAY, "orig")], [], {"orig": "s-orig"}, {})
    assert assigned == {"copy": "s-orig"}


def test_new_articles_are_taken_in_time_order_so_an_earlier_one_seeds_the_story() -> None:
    later, earlier = NewArticle("a", DAY + timedelta(hours=2), None), NewArticle("b", DAY, None)
    assigned = assign_stories(
        [later, earlier],
        [Similar("a", "b", 0.5), Similar("b", "a", 0.5)],
        {},
        {},
    )
    assert assigned == {"b": story_id_for("b"), "a": story_id_for("b")}


# -- story terms in scripts without spaces ----------------------------------------------------

# Two outlets on one earthquake, in their own words, and a football report.
QUAKE_A = (
    "日本东北部海域周一发生7.3级强烈地震，首都东京有明显震感。日本气象厅随即发布海啸预警，"
    "宫城县和福岛县沿海居民被要求立即撤离。目前尚无人员伤亡报告，核电站运行正常。"
)
QUAKE_B = (
    "据日本气象厅消息，东北部近海发生强烈地震，震级为7.3级，东京震感明显。"
    "气象厅对宫城县、福岛县发布海啸警报，当地政府紧急疏散沿海居民。核电站未发现异常。"
)
FOOTBALL = (
    "巴塞罗那足球俱乐部昨晚在欧洲冠军联赛中以三比一战胜拜仁慕尼黑，梅西梅开二度。"
    "主教练赛后表示，球队的防守仍需改进，下一轮比赛将在主场进行。"
)
QUAKE_JA = (
    "東京都で大きな地震がありました。気象庁によると、震度6強を観測しました。"
    "津波の心配はありません。"
)


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    return sum(w * b.get(t, 0.0) for t, w in a.items())


def test_chinese_and_japanese_story_terms_are_words() -> None:
    # Before: a whole run between two punctuation marks was one term ("日本东北部海域周一发生"),
    # found in no other article: two reports of one earthquake had cosine 0.
    a, b, football = (term_vector(None, t) for t in (QUAKE_A, QUAKE_B, FOOTBALL))
    assert {"地震", "海啸", "气象厅", "东京"} <= set(a)
    assert _cosine(a, b) >= LINK_MIN
    assert _cosine(a, football) < 0.05 and _cosine(b, football) < 0.05
    japanese = term_vector("東京で震度6強", QUAKE_JA)
    assert {"地震", "気象庁", "津波", "東京"} <= set(japanese)
    assert not any(all("\u3040" <= ch <= "\u309f" for ch in t) for t in japanese)  # no particles
    # Traditional characters are looked up as simplified ones.
    assert {"地震", "东京"} <= set(term_vector(None, "東京發生強烈地震，氣象廳發布海嘯警報。"))


def _articles_an_hour_apart(texts: list[tuple[str, str]]) -> list[Article]:
    """(text, name) pairs as untitled articles, each an hour after the one before."""
    found = []
    for i, (text, name) in enumerate(texts):
        item = SourceItem("file", name, f"/test/{name}", 0, 0)
        fields = {"title": None, "text": text, "published_at": DAY + timedelta(hours=i)}
        found.append(build_article(item, fields, text, "test", "0" * 64, 0, "utf-8", name, {}))
    return found


def _land_one_by_one(warehouse: str, batch: list[Article]) -> dict[str, str]:
    """Each article landed in a run of its own; the story of each, by its source_uri."""
    try:
        for i, a in enumerate(batch):
            land_batch(warehouse, f"r{i}", Batch(articles=[a]))
    finally:
        simindex.forget(warehouse)
    with store.connect(warehouse) as con:
        return dict(con.execute("SELECT source_uri, story_id FROM articles").fetchall())


def test_two_chinese_reports_of_one_event_share_a_story(tmp_path: Path) -> None:
    warehouse = str(tmp_path / "w.duckdb")
    dated = [(QUAKE_A, "quake-a"), (QUAKE_B, "quake-b"), (FOOTBALL, "football")]
    stories = _land_one_by_one(warehouse, _articles_an_hour_apart(dated))
    assert stories["quake-a"] == stories["quake-b"] != stories["football"]
    with store.connect(warehouse) as con:
        copies = con.execute("SELECT count(*) FROM duplicate_pairs").fetchone()
    assert copies == (0,)  # one event in other words: a story, not a copy


# -- story terms weighed by the article's language ----------------------------------------

# Two outlets on one fire, in their own words, and a council's budget: German.
FIRE_A = (
    "Bei einem Brand in einer Lagerhalle im Hamburger Hafen ist am Montagabend ein Schaden von "
    "mehreren Millionen Euro entstanden. Die Feuerwehr war mit mehr als hundert Einsatzkräften "
    "vor Ort, wie ein Sprecher sagte. Verletzt wurde nach ersten Angaben niemand. Die Ursache "
    "des Feuers ist noch nicht bekannt, die Polizei hat die Ermittlungen aufgenommen. Anwohner "
    "wurden gebeten, Fenster und Türen geschlossen zu halten."
)
FIRE_B = (
    "Großbrand im Hamburger Hafen: Eine Lagerhalle ist am Montag vollständig ausgebrannt. Mehr "
    "als hundert Feuerwehrleute waren bis in die Nacht im Einsatz. Der Schaden wird auf mehrere "
    "Millionen Euro geschätzt, verletzt wurde niemand. Warum das Feuer ausbrach, ist noch "
    "unklar; die Polizei ermittelt. Wegen der Rauchwolke sollten Anwohner ihre Fenster "
    "geschlossen halten."
)
BUDGET = (
    "Der Stadtrat hat am Dienstag den Haushalt für das kommende Jahr beschlossen. Die "
    "Fraktionen hatten sich nach langen Verhandlungen auf mehr Geld für Schulen und Kitas "
    "geeinigt. Auch die Sanierung der Schwimmbäder soll schneller vorankommen, sagte die "
    "Bürgermeisterin. Die Opposition kritisierte, dass die Schulden der Stadt weiter steigen "
    "werden und nicht genug gespart wird."
)
GERMAN_FUNCTION_WORDS = {"die", "der", "ein", "ist", "und", "nicht", "werden", "auch", "mehr"}


def test_german_story_terms_are_weighed_by_german_frequencies() -> None:
    # Weighed as English, 'ein', 'ist' and 'die' were these texts' heaviest terms, and on the
    # real pages of bench/stories_real.py 112 of 701 German articles shared stories with
    # unrelated ones (7 of them now, each told by two outlets or copied).
    a, b, budget = (term_vector(None, t, "de") for t in (FIRE_A, FIRE_B, BUDGET))
    assert not GERMAN_FUNCTION_WORDS & (set(a) | set(b) | set(budget))
    assert {"lagerhalle", "feuerwehr", "hafen"} <= set(a)
    assert _cosine(a, b) >= LINK_MIN
    assert _cosine(a, budget) < 0.05 and _cosine(b, budget) < 0.05
    as_english = term_vector(None, FIRE_A, "en")
    assert {"ein", "ist", "die"} <= set(list(as_english)[:5])
    # A language wordfreq has no list for is weighed as English, as before.
    assert term_vector(None, FIRE_A, "sw") == as_english


def test_a_german_article_lands_with_german_weighed_terms(tmp_path: Path) -> None:
    batch = _articles_an_hour_apart([(FIRE_A, "fire-a"), (FIRE_B, "fire-b"), (BUDGET, "rat")])
    assert [a.language for a in batch] == ["de", "de", "de"]
    assert not GERMAN_FUNCTION_WORDS & {t for a in batch for t in a.terms}
    stories = _land_one_by_one(str(tmp_path / "w.duckdb"), batch)
    assert stories["fire-a"] == stories["fire-b"] != stories["rat"]


def test_an_original_landed_after_its_copy_joins_the_copys_story(tmp_path: Path) -> None:
    # The same text dated three weeks apart (beyond the stories' window), the later-dated
    # landed first: landing the earlier one makes it the group's original (its date), and
    # it must share the copy's story, as when both land in one batch. Before, it started a
    # story of its own and the copy stayed apart from its original (found by
    # tests/test_scale_out.py, where workers land overlapping halves in any order).
    warehouse = str(tmp_path / "w.duckdb")
    text = " ".join(f"The harbour council met on day {i} to discuss its boats." for i in range(40))
    batches = {}
    for name, when in (("late", DAY + timedelta(days=21)), ("early", DAY)):
        item = SourceItem("file", name, f"/test/{name}", 0, 0)
        fields = {"title": "Harbour council", "text": text, "published_at": when}
        batches[name] = build_article(item, fields, text, "test", "0" * 64, 0, "utf-8", name, {})
    try:
        for name in ("late", "early"):
            land_batch(warehouse, name, Batch(articles=[batches[name]]))
    finally:
        simindex.forget(warehouse)
    with store.connect(warehouse) as con:
        found = con.execute(
            "SELECT source_uri, duplicate_of IS NULL, story_id FROM articles ORDER BY 1"
        ).fetchall()
    (early, early_is_original, early_story), (late, late_is_original, late_story) = found
    assert (early, early_is_original, late, late_is_original) == ("early", True, "late", False)
    assert early_story == late_story
