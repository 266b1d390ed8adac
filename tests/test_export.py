"""Parquet export (warehouse/export.py): a warehouse landed by the pipeline's own code (records
built by build_article, landed by land_batch), exported, and read back by DuckDB with Hive
partitioning as the README shows."""

from __future__ import annotations

import random
import shutil
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from tasks.extract.document import build_article
from tasks.land import Batch, land_batch
from tasks.models import ARTICLE_SCHEMA, ERROR_SCHEMA, Article, FailedItem, SourceItem, to_table
from warehouse import export as export_module
from warehouse import sql, store
from warehouse.export import ExportSummary, export_parquet

DAY1 = datetime(2025, 3, 1, 9, 30)
DAY2 = datetime(2025, 3, 2, 14, 0)
DAY3 = datetime(2025, 3, 3, 8, 15)
INCREMENTAL = (
    "articles", "article_topics", "article_entities", "claims", "duplicate_pairs",
    "ingest_errors", "runs",
)  # fmt: skip
ARTICLE_CHILDREN = ("article_topics", "article_entities", "claims")

SENTENCES = [
    "The government of France said on Tuesday that 12,000 troops would be sent to the border.",
    "President Emmanuel Macron told reporters in Paris that the cost would exceed $3 billion.",
    "Officials at the European Commission in Brussels said 40 percent of the budget was spent.",
    "Shares in Airbus fell 5 percent after the announcement on the Paris stock exchange.",
    "Inflation in Germany rose to 3.2 percent in February, the statistics office in Berlin said.",
    "Floods in northern Italy forced more than 4,000 people to leave their homes near Milan.",
    "The World Health Organization in Geneva reported 250 new cases of measles in one week.",
    "Microsoft said it would cut 1,900 jobs in its gaming division, according to a memo.",
    "Chancellor Olaf Scholz met union leaders in Berlin to discuss a strike by rail workers.",
    "Police in London arrested 14 people after protests outside the parliament on Saturday.",
    "The central bank in Tokyo kept interest rates unchanged at 0.1 percent on Thursday.",
    "A wildfire in California has burned about 20,000 acres and destroyed 60 buildings.",
    "NATO ministers in Brussels agreed to spend at least 2 percent of output on defence.",
    "Farmers drove 300 tractors into the centre of Madrid to protest against new rules.",
    "The Spanish football club Real Madrid signed a striker for a fee of 80 million euros.",
    "Researchers in Oxford said a new malaria vaccine was 77 percent effective in a trial.",
    "Ukraine said Russian drones struck an energy plant near Kharkiv overnight on Sunday.",
    "Amazon opened a warehouse in Poland that will employ 2,500 workers by next year.",
    "The United Nations said 1.2 million people in Sudan had fled fighting since April.",
    "Oil prices rose 2 percent in New York after OPEC said it would extend output cuts.",
    "Voters in the Netherlands go to the polls on Wednesday in a closely fought election.",
    "Apple said sales of the iPhone in China fell 24 percent in the first six weeks.",
    "An earthquake of magnitude 6.1 struck off the coast of Japan, with no tsunami warning.",
    "The Australian government in Canberra announced 500 million dollars for housing.",
]


def make_articles(start: int, n: int) -> list[Article]:
    """Articles number start..start+n-1, each built from its own draw of the sentences."""
    out = []
    for i in range(start, start + n):
        body = " ".join(random.Random(i).sample(SENTENCES, 7))
        out.append(_article(f"/synthetic/{i}.txt", f"Synthetic story {i}", body))
    return out


def _article(path: str, title: str, body: str) -> Article:
    item = SourceItem("file", path, path, len(body), 0)
    return build_article(
        item, {"title": title, "text": body}, body, "text-cleaner", "0" * 64, len(body),
        "utf-8", path, {},
    )  # fmt: skip


def land_at(
    monkeypatch: pytest.MonkeyPatch,
    warehouse: str,
    when: datetime,
    articles: list[Article],
    errors: list[FailedItem] | None = None,
) -> None:
    """Land a batch as if it were `when` (the warehouse stamps ingested_at with utcnow)."""
    monkeypatch.setattr(store, "utcnow", lambda: when)
    land_batch(warehouse, f"run-{when:%Y%m%d}", Batch(articles=articles, errors=errors or []))


def export(warehouse: str, out: Path, *, full: bool = False) -> ExportSummary:
    with store.connect(warehouse) as con:
        return export_parquet(con, out, full=full)


def parquet(out: Path, table: str, select: str = "count(*)", tail: str = "") -> list[tuple]:
    return duckdb.sql(
        f"SELECT {select} FROM read_parquet('{out}/{table}/**/*.parquet', hive_partitioning = true)"
        f" {tail}"
    ).fetchall()


def count(warehouse: str, table: str) -> int:
    with duckdb.connect(warehouse, read_only=True) as con:
        return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # type: ignore[index]


def files(out: Path) -> set[str]:
    return {str(p.relative_to(out)) for p in out.rglob("*.parquet")}


@pytest.fixture
def landed(warehouse: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Day 1: five articles, an exact copy of the first and a failed file; day 2: four more;
    one run finished on day 2 and one still running."""
    day1 = make_articles(0, 5)
    copy = _article("/synthetic/copy.txt", "A copy", day1[0].text)
    error = FailedItem("e1", "file", "/synthetic/bad.bin", "read", "unsupported", b"\x00" * 64,
                        64, "ab" * 32)  # fmt: skip
    land_at(monkeypatch, warehouse, DAY1, [*day1, copy], [error])
    land_at(monkeypatch, warehouse, DAY2, make_articles(5, 4))
    with store.connect(warehouse) as con:
        for run_id in ("finished", "running"):
            store.start_run(con, run_id, "ingest-files", {"paths": ["x"]})
        counts = dict.fromkeys(
            ("items_seen", "unchanged", "items_read", "new_articles", "duplicates", "errors"), 0
        )
        store.finish_run(con, "finished", "completed", message=None, **counts)
    monkeypatch.undo()
    return warehouse


def test_first_export_writes_every_table_partitioned_by_ingest_date(landed: str, tmp_path: Path):
    out = tmp_path / "export"
    summary = export(landed, out)

    assert summary.out_dir == out.resolve()
    by_date = parquet(
        out, "articles", '"date", typeof("date"), count(*)', "GROUP BY ALL ORDER BY 1"
    )
    assert by_date == [(date(2025, 3, 1), "DATE", 6), (date(2025, 3, 2), "DATE", 4)]
    assert summary["articles"].rows == count(landed, "articles") == 10
    assert summary["articles"].files == 2
    assert (summary["articles"].mode, summary["articles"].reason) == ("full", "first export")
    assert summary["articles"].through == DAY2
    assert sorted(p for p in files(out) if p.startswith("articles/")) == [
        f"articles/date=2025-03-01/{summary.export_id}-0.parquet",
        f"articles/date=2025-03-02/{summary.export_id}-0.parquet",
    ]
    # Every column of the warehouse's articles, plus published_date; `date` from the path.
    with duckdb.connect(landed, read_only=True) as con:
        columns = [r[0] for r in con.execute("DESCRIBE articles").fetchall()]
    described = duckdb.sql(
        f"SELECT * FROM read_parquet('{out}/articles/**/*.parquet', hive_partitioning = true)"
    ).columns
    assert described == [*columns, "published_date", "date"]

    # The enrichment rows, in their article's partition.
    for child in ARTICLE_CHILDREN:
        assert count(landed, child) > 0, child
        assert parquet(out, child) == [(count(landed, child),)], child
        assert summary[child].rows == count(landed, child)
        assert duckdb.sql(
            f"SELECT count(*) FILTER (WHERE c.date <> a.date), count(a.article_id)"
            f" FROM read_parquet('{out}/{child}/**/*.parquet', hive_partitioning = true) AS c"
            f" LEFT JOIN read_parquet('{out}/articles/**/*.parquet', hive_partitioning = true)"
            f" AS a USING (article_id)"
        ).fetchall() == [(0, count(landed, child))], child

    # The exact copy, and whatever near pairs the synthetic draws make (they share sentences).
    exported = parquet(out, "duplicate_pairs", "method, count(*)", "GROUP BY ALL ORDER BY 1")
    with duckdb.connect(landed, read_only=True) as con:
        stored = con.execute(
            "SELECT method, count(*) FROM duplicate_pairs GROUP BY ALL ORDER BY 1"
        ).fetchall()
    assert exported == stored
    assert ("exact", 1) in exported
    errors = duckdb.sql(
        f"SELECT * FROM read_parquet('{out}/ingest_errors/**/*.parquet', hive_partitioning = true)"
    )
    assert "raw" not in errors.columns
    assert errors.select("error_id, raw_size, raw_sha256, date").fetchall() == [
        ("e1", 64, "ab" * 32, date(2025, 3, 1))
    ]
    # Only the finished run: a running run's row is not final yet.
    assert parquet(out, "runs", "run_id, status") == [("finished", "completed")]
    stories = duckdb.sql(f"SELECT count(*) FROM read_parquet('{out}/stories/*.parquet')")
    assert stories.fetchall() == [(count(landed, "stories"),)]
    assert summary["stories"].mode == "snapshot"
    assert not (out / export_module.STAGING).exists()


def test_second_export_with_nothing_new_writes_nothing(landed: str, tmp_path: Path):
    out = tmp_path / "export"
    export(landed, out)
    before = files(out)

    again = export(landed, out)

    for table in INCREMENTAL:
        result = again[table]
        assert (result.mode, result.rows, result.files) == ("incremental", 0, 0), table
    assert again.rows == again["stories"].rows  # the snapshot is all it wrote
    assert files(out) == before
    assert parquet(out, "articles") == [(10,)]


def test_incremental_export_appends_only_the_new_rows(
    landed: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    out = tmp_path / "export"
    first = export(landed, out)
    before = files(out) - {"stories/stories.parquet"}

    land_at(monkeypatch, landed, DAY3, make_articles(9, 3))
    monkeypatch.undo()
    second = export(landed, out)

    assert (second["articles"].mode, second["articles"].rows) == ("incremental", 3)
    assert second["articles"].files == 1
    assert second["articles"].total_rows == count(landed, "articles") == 13
    assert second["articles"].through == DAY3
    # Old files untouched; the new ones in the new day's partition only.
    after = files(out)
    assert before <= after
    assert sorted(p for p in after - before if p.startswith("articles/")) == [
        f"articles/date=2025-03-03/{second.export_id}-0.parquet"
    ]
    assert first.export_id != second.export_id
    assert parquet(out, "articles", "count(*), count(DISTINCT article_id)") == [(13, 13)]
    for table in ARTICLE_CHILDREN:
        assert parquet(out, table) == [(count(landed, table),)], table
        assert second[table].rows == count(landed, table) - first[table].rows
    assert parquet(out, "articles", '"date", count(*)', "GROUP BY ALL ORDER BY 1")[-1] == (
        date(2025, 3, 3), 3,
    )  # fmt: skip


def test_full_export_rewrites_everything_with_the_same_totals(
    landed: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    out = tmp_path / "export"
    export(landed, out)
    land_at(monkeypatch, landed, DAY3, make_articles(9, 3))
    monkeypatch.undo()
    export(landed, out)

    full = export(landed, out, full=True)

    for table in INCREMENTAL:
        assert (full[table].mode, full[table].reason) == ("full", "requested"), table
        assert parquet(out, table) == [(full[table].rows,)], table
    assert full["articles"].rows == count(landed, "articles") == 13
    assert full["articles"].files == 3
    assert all(Path(p).name.startswith(full.export_id) for p in files(out) if "stories" not in p)
    # And the next export carries on incrementally from the rewrite.
    assert export(landed, out)["articles"].rows == 0


def test_rows_replaced_in_the_warehouse_rewrite_the_table(
    landed: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """reprocess deletes articles and lands them again with a new ingested_at: appending them
    would leave two copies, so the table is rewritten from the warehouse."""
    out = tmp_path / "export"
    export(landed, out)
    again = make_articles(0, 2)
    monkeypatch.setattr(store, "utcnow", lambda: DAY3)
    with store.connect(landed) as con, store.transaction(con):
        store.delete_articles(con, [a.article_id for a in again])
        store.insert_batch(
            con, "reprocess", to_table(again, ARTICLE_SCHEMA), ERROR_SCHEMA.empty_table()
        )
    monkeypatch.undo()

    summary = export(landed, out)

    articles = summary["articles"]
    assert (articles.mode, articles.reason) == ("full", "exported rows changed in the warehouse")
    assert parquet(out, "articles", "count(*), count(DISTINCT article_id)") == [(10, 10)]
    assert parquet(out, "articles", "count(*)", "WHERE \"date\" = DATE '2025-03-03'") == [(2,)]
    assert summary["runs"].mode == "incremental"  # untouched tables still append


def test_enrich_all_with_other_rules_rewrites_the_enrichment_tables(
    landed: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, prefect_server: object
):
    """`enrich --all` replaces topics with as many rows as there were, other scores: the copy
    kept the old ones, taken for current by their count."""
    from click.testing import CliRunner

    from flows.cli import main

    out = tmp_path / "export"
    export(landed, out)
    before = parquet(out, "article_topics", "sum(score)")
    mine = tmp_path / "mine.toml"
    mine.write_text('[topics."medtop:16000000".terms]\ntroops = 9\n', encoding="utf-8")
    monkeypatch.setenv("NEWSFLOW_TOPICS", str(mine))
    topics = "SELECT count(*), sum(score) FROM article_topics"
    counted = count(landed, "article_topics")
    result = CliRunner().invoke(main, ["--warehouse", landed, "enrich", "--all"])
    assert result.exit_code == 0, result.output
    with duckdb.connect(landed, read_only=True) as con:
        ((rows_now, score_now),) = con.execute(topics).fetchall()
    assert rows_now == counted and [(score_now,)] != before  # the case a count misses

    summary = export(landed, out)

    assert summary["article_topics"].reason == "exported rows changed in the warehouse"
    assert parquet(out, "article_topics", "count(*), sum(score)") == [(rows_now, score_now)]
    assert summary["runs"].mode == "incremental"
    assert export(landed, out)["article_topics"].mode == "incremental"  # and then it appends


def test_a_missing_folder_is_rewritten(landed: str, tmp_path: Path):
    out = tmp_path / "export"
    export(landed, out)
    shutil.rmtree(out / "articles")

    summary = export(landed, out)

    assert (summary["articles"].mode, summary["articles"].reason) == ("full", "folder missing")
    assert parquet(out, "articles") == [(10,)]
    assert summary["claims"].mode == "incremental"


def test_an_interrupted_export_is_finished_or_discarded(
    landed: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    out = tmp_path / "export"
    # Failing before the commit: nothing is recorded and the staged files go.
    monkeypatch.setattr(export_module, "_snapshot", _fail)
    with pytest.raises(OSError, match="disk full"):
        export(landed, out)
    monkeypatch.undo()
    assert not list((out / export_module.STAGING).glob("*"))
    assert count(landed, "exports") == 0

    # Failing after the commit, before the files moved: the next export publishes them.
    monkeypatch.setattr(export_module, "_publish", _fail)
    with pytest.raises(OSError, match="disk full"):
        export(landed, out)
    monkeypatch.undo()
    assert len(list((out / export_module.STAGING).iterdir())) == 1
    assert not list(out.glob("articles/**/*.parquet"))

    summary = export(landed, out)

    assert summary["articles"].rows == 0  # the interrupted export's rows are published instead
    assert parquet(out, "articles", "count(*), count(DISTINCT article_id)") == [(10, 10)]
    for table in ARTICLE_CHILDREN:
        assert parquet(out, table) == [(count(landed, table),)], table
    assert not (out / export_module.STAGING).exists()


def _fail(*args: object, **kwargs: object) -> None:
    raise OSError("disk full")


def test_a_copy_exported_before_the_authors_column_is_rewritten_after_the_upgrade(
    tmp_path: Path,
):
    """A warehouse and its Parquet copy as newsflow left them before migrations 012-016
    (built with the migrations and export SELECT of that time, which ship unchanged): the
    first export after the upgrade found the count unchanged and appended to the copy, whose
    old files had no `authors` column, though migration 012 had filled it in the warehouse."""
    warehouse, out = str(tmp_path / "old.duckdb"), (tmp_path / "export").resolve()
    batch = to_table(make_articles(0, 4), ARTICLE_SCHEMA)
    out.mkdir()
    with duckdb.connect(warehouse) as con:
        con.execute(sql.load("sql/schema_migrations.sql"))
        for version, name, text in sql.migrations():
            if version <= 11:
                con.execute(text)
                con.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)", [version, name, DAY1])
        con.register("batch", batch)
        con.execute(
            "INSERT INTO articles BY NAME SELECT * EXCLUDE (author, authors, modified_at, shingles,"
            " signature, bands, terms, weights, topics, entities, claims, enriched),"
            " 'Ana Ruiz, Li Wei' AS author, $day AS ingested_at, 'r1' AS run_id FROM batch",
            {"day": DAY1},
        )
        con.execute(
            f"COPY ({sql.load('sql/export/articles.sql').rstrip().rstrip(';')})"
            f" TO '{out}/articles' (FORMAT parquet, PARTITION_BY (\"date\"))",
            {"after": None, "through": DAY1},
        )
        con.execute(
            "INSERT INTO exports VALUES (?, 'articles', ?, 4, 'old', ?, 4, 1, true)",
            [str(out), DAY1, DAY1],
        )

    summary = export_module.export_warehouse(warehouse, out)

    assert (summary["articles"].mode, summary["articles"].reason) == (
        "full", "columns added to the warehouse since the last export",
    )  # fmt: skip
    assert duckdb.sql(
        f"SELECT DISTINCT authors FROM read_parquet('{out}/articles/**/*.parquet',"
        " hive_partitioning = true, union_by_name = true)"
    ).fetchall() == [(["Ana Ruiz", "Li Wei"],)]
    # With the copy whole again, the next export appends as before.
    assert export_module.export_warehouse(warehouse, out)["articles"].mode == "incremental"
