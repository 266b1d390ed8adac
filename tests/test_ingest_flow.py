"""Ingest flows end to end: real Prefect flow runs landing in a real DuckDB file."""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path
from uuid import UUID

import pytest

from flows.ingest import ingest_files, ingest_seeds
from tests.conftest import FIXTURES, SEEDS, rows

pytestmark = pytest.mark.usefixtures("prefect_server")


def test_seeds_land_with_titles_dates_and_clean_bodies(warehouse: str) -> None:
    summary = ingest_seeds(directory=str(SEEDS), warehouse=warehouse)
    assert (summary.items_read, summary.new_articles, summary.errors) == (5, 5, 0)
    got = rows(
        warehouse,
        "SELECT source_kind, title, published_at, text, duplicate_of, extractor "
        "FROM articles ORDER BY source_uri",
    )
    assert len(got) == 5
    assert all(kind == "seed" and extractor == "text-cleaner" for kind, *_, extractor in got)
    assert all(title for _, title, *_ in got)
    assert [str(r[2])[:10] if r[2] else None for r in got] == [
        None, "2024-10-25", "2024-10-22", None, None,
    ]  # fmt: skip
    for *_, text, duplicate_of, _ in got:
        assert duplicate_of is None
        assert "See also" not in text and "TAGS" not in text and "Latest Contents" not in text


def test_source_uri_is_the_path_as_given(warehouse: str, seeds_copy: Path) -> None:
    ingest_files(paths=[str(seeds_copy / "001_801dbc815b007bc0.txt")], warehouse=warehouse)
    assert rows(warehouse, "SELECT source_uri FROM articles") == [
        (str(seeds_copy / "001_801dbc815b007bc0.txt"),)
    ]


def test_reingest_adds_no_rows_and_skips_unchanged_files(warehouse: str, seeds_copy: Path) -> None:
    first = ingest_files(paths=[str(seeds_copy)], warehouse=warehouse)
    second = ingest_files(paths=[str(seeds_copy)], warehouse=warehouse)
    assert first.new_articles == 5
    assert (second.unchanged, second.items_read, second.new_articles) == (5, 0, 0)
    assert rows(warehouse, "SELECT count(*) FROM articles") == [(5,)]


def test_touched_but_identical_file_is_read_again_and_adds_nothing(
    warehouse: str, seeds_copy: Path
) -> None:
    ingest_files(paths=[str(seeds_copy)], warehouse=warehouse)
    (seeds_copy / "003_90df82462330a561.txt").touch()
    again = ingest_files(paths=[str(seeds_copy)], warehouse=warehouse)
    assert (again.unchanged, again.items_read, again.new_articles) == (4, 1, 0)
    assert rows(warehouse, "SELECT count(*) FROM articles") == [(5,)]


def test_edited_file_lands_as_a_new_version(warehouse: str, seeds_copy: Path) -> None:
    ingest_files(paths=[str(seeds_copy)], warehouse=warehouse)
    path = seeds_copy / "003_90df82462330a561.txt"
    path.write_text(path.read_text() + "\nA correction was appended to this article later on.\n")
    again = ingest_files(paths=[str(seeds_copy)], warehouse=warehouse)
    assert again.new_articles == 1
    assert rows(warehouse, "SELECT count(*) FROM articles WHERE source_uri = ?", [str(path)]) == [
        (2,)
    ]


def _copies(tmp_path: Path) -> Path:
    copies = tmp_path / "copies"
    copies.mkdir()
    original = (SEEDS / "001_801dbc815b007bc0.txt").read_text(encoding="utf-8")
    (copies / "renamed.txt").write_text(original, encoding="utf-8")
    # Same article, other typography and spacing: normalisation makes it the same content.
    retyped = original.replace("'", "\u2019").replace(". ", ".  ").replace("South", "SOUTH")
    (copies / "retyped.txt").write_text(retyped, encoding="utf-8")
    return copies


def test_copies_form_one_group_with_one_original(warehouse: str, tmp_path: Path) -> None:
    ingest_seeds(directory=str(SEEDS), warehouse=warehouse)
    summary = ingest_files(paths=[str(_copies(tmp_path))], warehouse=warehouse)
    assert summary.new_articles == 2
    group = dict(
        rows(
            warehouse,
            "SELECT article_id, duplicate_of FROM articles WHERE content_hash = "
            "(SELECT content_hash FROM articles WHERE source_uri LIKE '%copies/renamed.txt')",
        )
    )
    assert len(group) == 3
    # Equally dated copies: the first landed (the seed) stays the original.
    (seed,) = rows(warehouse, "SELECT article_id FROM articles WHERE source_uri LIKE '%/001_%'")[0]
    assert [a for a, d in group.items() if d is None] == [seed]
    assert all(d == seed for a, d in group.items() if a != seed)
    methods = rows(warehouse, "SELECT DISTINCT method, similarity FROM duplicate_pairs")
    assert methods == [("exact", 1.0)]


def test_groups_are_the_same_whichever_order_copies_arrive(tmp_path: Path) -> None:
    copies = _copies(tmp_path)
    first, second = str(tmp_path / "a.duckdb"), str(tmp_path / "b.duckdb")
    ingest_seeds(directory=str(SEEDS), warehouse=first)
    ingest_files(paths=[str(copies)], warehouse=first)
    ingest_files(paths=[str(copies)], warehouse=second)
    ingest_seeds(directory=str(SEEDS), warehouse=second)
    groups = (
        "SELECT list(article_id ORDER BY article_id) FROM articles "
        "GROUP BY coalesce(duplicate_of, article_id)"
    )
    assert sorted(rows(first, groups)) == sorted(rows(second, groups))
    # Equally dated copies: whichever landed first is the original.
    original = (
        "SELECT source_uri FROM articles WHERE duplicate_of IS NULL AND content_hash = "
        "(SELECT content_hash FROM articles WHERE source_uri LIKE '%/copies/renamed.txt')"
    )
    assert "/copies/" not in rows(first, original)[0][0]
    assert "/copies/" in rows(second, original)[0][0]
    # Story ids are named after whichever article started the story; the grouping is the same.
    stories = "SELECT list(article_id ORDER BY article_id) FROM articles GROUP BY story_id"
    assert sorted(rows(first, stories)) == sorted(rows(second, stories))


def test_duplicates_within_one_batch_share_one_original(warehouse: str, tmp_path: Path) -> None:
    for name in ("b.txt", "a.txt", "c.txt"):
        shutil.copy(SEEDS / "000_4e815ee1833a451d.txt", tmp_path / name)
    summary = ingest_files(paths=[str(tmp_path)], warehouse=warehouse)
    assert (summary.new_articles, summary.duplicates) == (3, 2)
    group = dict(rows(warehouse, "SELECT article_id, duplicate_of FROM articles"))
    (original,) = [a for a, d in group.items() if d is None]
    assert original == min(group) and set(group.values()) == {None, original}


def test_seeds_are_one_story_and_no_near_duplicates(warehouse: str) -> None:
    ingest_seeds(directory=str(SEEDS), warehouse=warehouse)
    assert rows(warehouse, "SELECT count(DISTINCT story_id), count(story_id) FROM articles") == [
        (1, 5)
    ]
    assert rows(warehouse, "SELECT count(*) FROM duplicate_pairs") == [(0,)]
    ((label, n, sources),) = rows(warehouse, "SELECT label, articles, sources FROM stories")
    assert (n, sources) == (5, 5) and label.startswith("South Korea Eyes Military Support")


def test_html_pages_land_with_metadata(warehouse: str) -> None:
    ingest_files(paths=[str(FIXTURES / "pages")], warehouse=warehouse)
    ((title, url, published, language, author, site, text),) = rows(
        warehouse,
        "SELECT title, url, published_at, language, author, site_name, text FROM articles "
        "WHERE source_uri LIKE '%harbour-wind-farm.html'",
    )
    assert title == "Harbour wind farm approved after three-year fight"
    assert url == "https://www.coastalcourier.example/news/2024/03/14/harbour-wind-farm-approved"
    assert str(published)[:10] == "2024-03-14"
    assert (language, author, site) == ("en", "Morag Lindsay", "The Coastal Courier")
    assert text.startswith("Councillors have approved plans for twelve offshore turbines")
    assert text.endswith("challenge the decision in court.")
    for chrome in ("cookies", "Most read", "Ferry operator", "All rights reserved", title):
        assert chrome not in text


def test_a_run_is_recorded_in_prefect_and_in_the_runs_table(warehouse: str) -> None:
    from prefect.client.orchestration import get_client

    summary = ingest_seeds(directory=str(SEEDS), warehouse=warehouse)
    ((run_id, flow_name, status, new, seen),) = rows(
        warehouse, "SELECT run_id, flow_name, status, new_articles, items_seen FROM runs"
    )
    assert (run_id, flow_name, status, new, seen) == (
        summary.run_id,
        "ingest-seeds",
        "completed",
        5,
        5,
    )
    assert rows(warehouse, "SELECT DISTINCT run_id FROM articles") == [(run_id,)]

    async def fetch():
        async with get_client() as client:
            flow_run = await client.read_flow_run(UUID(run_id))
            # Filtered on the server: a whole session makes more artifacts than one page.
            artifacts = await client.read_artifacts(artifact_filter=_of_run(flow_run.id))
            return flow_run, artifacts

    flow_run, artifacts = asyncio.run(fetch())
    assert flow_run.state.is_completed()
    table = next(a for a in artifacts if a.key == "ingest-summary")
    assert {"metric": "new_articles", "value": 5} in json.loads(table.data)
    (sources,) = [json.loads(a.data) for a in artifacts if a.key == "ingest-sources"]
    assert sources == [{"source": str(SEEDS), "read": 5, "new": 5, "duplicates": 0, "errors": 0}]
    (report,) = [a.data for a in artifacts if a.key == "ingest-report"]
    assert "5 new articles" in report and "(new)" in report  # the seeds' story is new
    assert "conflict, war and peace" in report


def test_a_run_that_cannot_open_the_warehouse_fails_loudly(tmp_path: Path) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        FlowRunFilter,
        FlowRunFilterState,
        FlowRunFilterStateType,
    )
    from prefect.client.schemas.objects import StateType

    from warehouse.store import WarehouseError

    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the warehouse's folder should be")
    with pytest.raises(WarehouseError, match="cannot create the folder"):
        ingest_seeds(directory=str(SEEDS), warehouse=str(blocker / "newsflow.duckdb"))
    # The flow run is Failed in Prefect, not Completed with nothing done.
    # Filtered on the server: the session's server holds every test's runs.
    failed_only = FlowRunFilter(
        state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.FAILED]))
    )
    with get_client(sync_client=True) as client:
        failed = client.read_flow_runs(flow_run_filter=failed_only)
    assert failed and all(r.state.is_failed() for r in failed)
    assert any("cannot create the folder" in (r.state.message or "") for r in failed)


def test_bad_items_are_in_the_run_report_and_the_run_completes(
    warehouse: str, seeds_copy: Path
) -> None:
    from prefect.client.orchestration import get_client

    (seeds_copy / "broken.txt").write_bytes(b"\x00\x01\x02 not text")
    summary = ingest_files(paths=[str(seeds_copy)], warehouse=warehouse)
    assert (summary.new_articles, summary.errors) == (5, 1)
    with get_client(sync_client=True) as client:
        flow_run = client.read_flow_run(UUID(summary.run_id))
        artifacts = {
            a.key: a.data for a in client.read_artifacts(artifact_filter=_of_run(flow_run.id))
        }
    assert flow_run.state.is_completed()
    assert json.loads(artifacts["ingest-sources"]) == [
        {"source": str(seeds_copy), "read": 6, "new": 5, "duplicates": 0, "errors": 1}
    ]
    report = artifacts["ingest-report"]
    assert "## 1 item(s) failed" in report and "broken.txt" in report and "binary" in report


def _of_run(flow_run_id: UUID):
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    return ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id]))


def test_batches_start_small_and_double_up_to_the_size() -> None:
    from flows.runs import in_batches
    from tasks.models import SourceItem

    items = [SourceItem("file", f"/x/{i}.txt", f"/x/{i}.txt", 1, 0) for i in range(1_000)]
    assert [len(b.items) for b in in_batches(items, 500)] == [100, 200, 400, 300]
    assert [len(b.items) for b in in_batches(items[:130], 50)] == [50, 50, 30]
    batches = in_batches(items, 500)
    assert [i for b in batches for i in b.items] == items  # each item once, in order
    with pytest.raises(ValueError, match="at least one item"):
        in_batches(items, 0)  # not a loop that never ends


def test_a_pages_title_or_url_in_the_run_report_is_text_not_markdown() -> None:
    # A hostile page's title or link rendered in the Prefect UI: an image the reader's
    # browser fetched, a link, HTML, a broken table (only '|' was escaped; URLs sat in
    # backticks a backtick ended).
    from flows.runs import _cell

    shown = _cell("![x](http://evil.example/t.png) <img src=x> [a](u) `b` c|d\nnext")
    assert shown == r"\!\[x\](http://evil.example/t.png) \<img src=x\> \[a\](u) \`b\` c\|d next"


def test_a_run_does_not_keep_the_articles_of_batches_it_landed(
    tmp_path: Path, warehouse: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every batch of a run was made up front and kept, its articles (text, signature, bands,
    # term vector) with it, until the run ended: landing 30,000 files into a warehouse of
    # 30,000 took the command from 0.5 to 1.4 GB as the run went on.
    import gc

    import flows.runs
    from tasks.models import Article

    text = (SEEDS / "002_44a44f5a35d60aa0.txt").read_text(encoding="utf-8")
    for n in range(8):
        paragraphs = text.split("\n\n")
        (tmp_path / f"{n}.txt").write_text(
            "\n\n".join(paragraphs[:6] + [f"Item {n} of the run, told its own way."] * (n + 1)),
            encoding="utf-8",
        )
    live: list[int] = []
    land = flows.runs.land_and_count

    def counting(summary, batch, label):
        gc.collect()
        # This run's articles only: other tests' may linger in this process.
        mine = (o for o in gc.get_objects() if isinstance(o, Article))
        live.append(sum(a.source_uri.startswith(str(tmp_path)) for a in mine))
        return land(summary, batch, label)

    monkeypatch.setattr(flows.runs, "land_and_count", counting)
    summary = ingest_files(paths=[str(tmp_path)], warehouse=warehouse, batch_size=1)
    assert (summary.items_read, summary.errors) == (8, 0)
    assert len(live) == 8  # one landing a file
    # The batch being landed, and a few landed just before it that Prefect still refers to
    # (its last task runs' parameters: up to 2 alone, 4 in a full test run): a count that
    # does not grow as the run goes on, where keeping every batch counted 1, 2, ..., 8.
    assert max(live) <= 4 and max(live[4:]) <= max(live[:4]) + 1, str(live)
