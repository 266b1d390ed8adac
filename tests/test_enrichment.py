"""Enrichment through real flow runs: topics, entities, claims and language land in their
tables, the shipped queries answer the issue's questions, and bad input costs nothing."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
from click.testing import CliRunner

from flows.cli import main
from flows.ingest import ingest_files, ingest_seeds
from tasks.enrich.annotate import enrich
from tasks.enrich.language import detect
from tasks.extract import pool
from tests.conftest import SEEDS, rows

pytestmark = pytest.mark.usefixtures("prefect_server")

CONFLICT, POLITICS = "medtop:16000000", "medtop:11000000"


def test_every_seed_is_about_conflict_and_politics(warehouse: str) -> None:
    ingest_seeds(directory=str(SEEDS), warehouse=warehouse)
    tagged = rows(
        warehouse,
        "SELECT a.article_id, list(t.topic ORDER BY t.rank) FROM articles a "
        "LEFT JOIN article_topics t USING (article_id) GROUP BY ALL",
    )
    assert len(tagged) == 5
    for _, topics in tagged:
        assert {CONFLICT, POLITICS} <= set(topics)
    assert rows(warehouse, "SELECT DISTINCT language FROM articles") == [("en",)]


def test_seed_entities_are_found_folded_and_placed(warehouse: str) -> None:
    ingest_seeds(directory=str(SEEDS), warehouse=warehouse)
    found = dict(
        (name, (kind, country, mentions))
        for name, kind, country, mentions in rows(
            warehouse,
            "SELECT entity, entity_type, any_value(country_code), sum(mentions) "
            "FROM article_entities GROUP BY ALL",
        )
    )
    for person in ("Yoon Suk Yeol", "Kim Jong Un", "Vladimir Putin", "Volodymyr Zelenskyy"):
        assert found[person][0] == "person", person
    assert found["NATO"][0] == "organisation"
    for place, code in (("North Korea", "KP"), ("South Korea", "KR"), ("Russia", "RU"),
                        ("Ukraine", "UA")):  # fmt: skip
        assert found[place][:2] == ("place", code)
        assert found[place][2] >= 20  # named in every seed, many times
    # Aliases folded: no separate rows for the short or titled forms.
    assert not {"Yoon", "President Yoon", "Pyongyang", "Putin", "Zelensky"} & set(found)


def test_seed_troop_claims_and_the_shipped_timeline(warehouse: str) -> None:
    ingest_seeds(directory=str(SEEDS), warehouse=warehouse)
    result = CliRunner().invoke(
        main, ["--warehouse", warehouse, "claims", "--unit", "troops", "--about", "North Korea"]
    )
    assert result.exit_code == 0, result.output
    claims = set(rows(warehouse, "SELECT value, qualifier FROM claims WHERE unit = 'troops'"))
    assert {(1500.0, "approx"), (3000.0, "approx"), (12000.0, "at_most"),
            (10000.0, "projection")} <= claims  # fmt: skip
    # Dated articles first, in date order: the number grew from 1,500 to 12,000.
    lines = [line for line in result.output.splitlines() if line[:4].isdigit()]
    assert lines[0].startswith("2024-10-22") and "1500" in lines[0]
    assert lines[-1].startswith("2024-10-25")
    assert "undated" in result.output


def test_shipped_topic_and_entity_queries(warehouse: str) -> None:
    ingest_seeds(directory=str(SEEDS), warehouse=warehouse)
    runner = CliRunner()
    topics = runner.invoke(main, ["--warehouse", warehouse, "topics"])
    assert topics.exit_code == 0 and "conflict, war and peace" in topics.output
    people = runner.invoke(main, ["--warehouse", warehouse, "entities", "--type", "person"])
    assert people.exit_code == 0
    assert "Yoon Suk Yeol" in people.output and "North Korea" not in people.output


def test_foreign_empty_and_huge_articles(warehouse: str, tmp_path: Path) -> None:
    french = (
        "Le gouvernement a annoncé mardi une nouvelle réforme des retraites. Les syndicats "
        "ont appelé à la grève dans toute la France, et le président Macron a défendu le "
        "projet devant les députés à Paris, malgré des manifestations dans plusieurs villes."
    )
    (tmp_path / "fr.txt").write_text("Réforme des retraites\n\n" + french, encoding="utf-8")
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    seed = (SEEDS / "002_44a44f5a35d60aa0.txt").read_text(encoding="utf-8")
    body = seed.split("\n", 1)[1]
    (tmp_path / "huge.txt").write_text(
        "A very long article\n\n" + body * (1_000_000 // len(body)), encoding="utf-8"
    )
    summary = ingest_files(paths=[str(tmp_path)], warehouse=warehouse)
    assert (summary.new_articles, summary.errors) == (2, 1)  # the empty file is an error
    by_title = {
        title: (language, topics, entities, claims)
        for title, language, topics, entities, claims in rows(
            warehouse,
            "SELECT title, language,"
            " (SELECT count(*) FROM article_topics t WHERE t.article_id = a.article_id),"
            " (SELECT count(*) FROM article_entities e WHERE e.article_id = a.article_id),"
            " (SELECT count(*) FROM claims c WHERE c.article_id = a.article_id) "
            "FROM articles a",
        )
    }
    # English rules are not applied to French text: its language, and nothing invented.
    assert by_title["Réforme des retraites"] == ("fr", 0, 0, 0)
    language, topics, entities, claims = by_title["A very long article"]
    assert language == "en" and topics >= 1 and entities >= 4 and claims >= 2


def test_enrich_is_pure_and_keeps_a_declared_language_for_short_text() -> None:
    short = enrich("Hi", "Too short to tell.", "de-AT")
    assert short.language == "de" and short.topics == short.entities == short.claims == []
    text = "About 1,500 troops arrived in Moscow, officials in Seoul said on Friday. " * 3
    first, second = enrich("Troops", text), enrich("Troops", text)
    assert first == second and first.language == "en"
    assert [c["value"] for c in first.claims][:1] == [1500.0]


@pytest.mark.parametrize(
    ("headline", "language"),
    [
        # A 15-character Chinese headline: counted one letter a character it was too short
        # to tell, and py3langid says Wu ('wuu') of it.
        ("上海图书馆东馆新增数字阅读空间", "zh"),
        ("北海道で強い地震、死者12人に 自衛隊1500人派遣", "ja"),
        ("서울 북촌 한옥마을, 가을 전통문화 축제 개최", "ko"),
        # Hindi's vowel signs are letters too: counted without them, too short to tell.
        ("होक्काइडो में भूकंप के बाद बचाव कार्य जारी, सेना तैनात", "hi"),
    ],
)
def test_a_headline_in_any_script_gets_its_language(headline: str, language: str) -> None:
    assert detect(headline) == language
    assert detect(headline[:3]) is None  # too short to tell: no guess


def test_enrich_fills_in_articles_landed_without_enrichment(
    warehouse: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSFLOW_ENRICH", "0")
    ingest_seeds(directory=str(SEEDS), warehouse=warehouse)
    assert rows(warehouse, "SELECT count(*) FROM article_topics") == [(0,)]
    assert rows(warehouse, "SELECT count(enriched_at) FROM articles") == [(0,)]
    monkeypatch.delenv("NEWSFLOW_ENRICH")
    result = CliRunner().invoke(main, ["--warehouse", warehouse, "enrich"])
    assert result.exit_code == 0, result.output
    assert "5 read" in result.output
    assert rows(warehouse, "SELECT count(DISTINCT article_id) FROM article_topics") == [(5,)]
    assert rows(warehouse, "SELECT count(enriched_at) FROM articles") == [(5,)]
    claims = rows(warehouse, "SELECT count(*) FROM claims WHERE unit = 'troops'")[0][0]
    again = CliRunner().invoke(main, ["--warehouse", warehouse, "enrich"])
    assert "0 read" in again.output  # nothing left to do
    assert rows(warehouse, "SELECT count(*) FROM claims WHERE unit = 'troops'") == [(claims,)]


def test_pool_workers_read_the_settings_the_run_has_now(
    warehouse: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The fork server starts first, as `newsflow` and `serve` start it, so its copy of the
    # environment predates the setting; its workers must still follow the run's settings.
    # (Before: the five seeds, extracted by the pool, got topics with NEWSFLOW_ENRICH=0.)
    pool.prestart()
    monkeypatch.setenv("NEWSFLOW_ENRICH", "0")
    ingest_seeds(directory=str(SEEDS), warehouse=warehouse)
    assert rows(warehouse, "SELECT count(*), count(enriched_at) FROM articles") == [(5, 0)]
    assert rows(warehouse, "SELECT count(*) FROM article_topics") == [(0,)]
    monkeypatch.delenv("NEWSFLOW_ENRICH")
    result = CliRunner().invoke(main, ["--warehouse", warehouse, "enrich"])
    assert result.exit_code == 0, result.output
    assert rows(warehouse, "SELECT count(DISTINCT article_id) FROM article_topics") == [(5,)]


def test_pool_workers_start_with_what_the_fork_server_loaded_frozen() -> None:
    # tasks/extract/warmup.py freezes the models and modules it loaded, so the workers'
    # garbage collector stops walking them, and collects less often.
    executor = pool.make_pool(10_000)
    if executor is None:
        pytest.skip("one core: extraction runs without a pool")
    try:
        assert executor.submit(gc.get_freeze_count).result(timeout=120) > 50_000
        assert executor.submit(gc.get_threshold).result(timeout=120)[0] == 10_000
    finally:
        executor.shutdown()


def test_enrich_all_applies_edited_topic_rules(
    warehouse: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ingest_seeds(directory=str(SEEDS), warehouse=warehouse)
    mine = tmp_path / "mine.toml"
    mine.write_text(
        '[topics."custom:korea"]\nname = "Korean peninsula"\n'
        '[topics."custom:korea".terms]\n"north korea" = 5\n"south korea" = 5\npyongyang = 5\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("NEWSFLOW_TOPICS", str(mine))
    result = CliRunner().invoke(main, ["--warehouse", warehouse, "enrich", "--all"])
    assert result.exit_code == 0, result.output
    tagged = rows(warehouse, "SELECT count(*) FROM article_topics WHERE topic = 'custom:korea'")
    assert tagged == [(5,)]
    # Replaced, not added to: each article still has each of its topics once.
    assert rows(
        warehouse,
        "SELECT max(n) FROM (SELECT count(*) AS n FROM article_topics GROUP BY article_id, topic)",
    ) == [(1,)]
