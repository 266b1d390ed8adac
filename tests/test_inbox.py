"""The inbox: dropped files land once they are complete, exactly once, also across restarts,
whether a pass is run by hand or by the watcher."""

from __future__ import annotations

import os
import shutil
import threading
import time
from pathlib import Path

import pytest

from flows.inbox import ingest_inbox, ready_files
from flows.runs import RunSummary
from flows.watch import watch_inbox
from tests.conftest import FIXTURES, SEEDS, rows

pytestmark = pytest.mark.usefixtures("prefect_server")

OPML = """<?xml version="1.0"?>
<opml version="2.0"><head><title>Mine</title></head><body>
<outline text="Korea Desk" xmlUrl="https://news.example.org/korea.xml"/>
</body></opml>
"""


def age(path: Path, seconds: float = 120.0) -> None:
    """Make a file look written `seconds` ago (settled)."""
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_articles_feeds_and_opml_land_once(tmp_path: Path, warehouse: str) -> None:
    inbox, sources = tmp_path / "inbox", tmp_path / "sources.toml"
    (inbox / "sub").mkdir(parents=True)
    for seed in sorted(SEEDS.glob("*.txt"))[:2]:
        shutil.copy(seed, inbox / seed.name)
    shutil.copy(SEEDS / "002_44a44f5a35d60aa0.txt", inbox / "sub" / "third.txt")
    feed = (FIXTURES / "feeds" / "rss2.xml").read_text(encoding="utf-8")
    (inbox / "desk.xml").write_text(feed.replace("{base}", "https://news.example.org"))
    (inbox / "mine.opml").write_text(OPML, encoding="utf-8")
    (inbox / "notes.bin").write_bytes(b"\x00\x01binary")
    for path in inbox.rglob("*"):
        age(path)
    (inbox / "still-writing.txt").write_text("Half a sto", encoding="utf-8")

    first = ingest_inbox(
        inbox=str(inbox), warehouse=warehouse, sources=str(sources), settle_seconds=60
    )
    # 3 article files + the feed's one entry that carries its text; the binary file is an
    # error; the file being written is left alone.
    assert (first.new_articles, first.errors) == (4, 1)
    assert rows(warehouse, "SELECT count(*) FROM articles WHERE source_kind = 'inbox'") == [(4,)]
    assert "https://news.example.org/korea.xml" in sources.read_text(encoding="utf-8")
    assert rows(warehouse, "SELECT count(*) FROM article_topics") != [(0,)]

    again = ingest_inbox(
        inbox=str(inbox), warehouse=warehouse, sources=str(sources), settle_seconds=60
    )
    # Only the file that failed is read again (it may have been fixed); it adds no error row.
    assert (again.new_articles, again.items_read, again.unchanged) == (0, 1, 5)
    assert rows(warehouse, "SELECT count(*) FROM ingest_errors") == [(1,)]
    assert sources.read_text(encoding="utf-8").count("korea.xml") == 1

    age(inbox / "still-writing.txt")
    last = ingest_inbox(inbox=str(inbox), warehouse=warehouse, sources=str(sources))
    assert (last.items_read, last.errors) == (2, 2)  # 3 words: no article, and said so
    assert rows(warehouse, "SELECT count(*) FROM articles") == [(4,)]


def test_ready_files_skip_hidden_partial_and_fresh(tmp_path: Path) -> None:
    for name in ("a.txt", ".b.txt", "c.txt.part", "d.html"):
        (tmp_path / name).write_text("x")
        age(tmp_path / name)
    (tmp_path / "fresh.txt").write_text("x")
    assert sorted(p.name for p in ready_files(tmp_path, 1.0)) == ["a.txt", "d.html"]


def test_watcher_lands_each_dropped_file_once(tmp_path: Path, warehouse: str) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(SEEDS / "000_4e815ee1833a451d.txt", inbox / "before-start.txt")
    age(inbox / "before-start.txt")
    stop, runs = threading.Event(), []
    watcher = threading.Thread(
        target=watch_inbox,
        kwargs=dict(inbox=str(inbox), warehouse=warehouse, settle_seconds=0.5, stop=stop,
                    on_run=runs.append),
    )  # fmt: skip
    watcher.start()
    try:
        wait_for(lambda: landed(runs) == 1, runs)
        # A writer that writes in two steps, then one that writes aside and renames.
        target = inbox / "dropped.txt"
        text = (SEEDS / "001_801dbc815b007bc0.txt").read_text(encoding="utf-8")
        with open(target, "w", encoding="utf-8") as fh:
            fh.write(text[: len(text) // 2])
            fh.flush()
            time.sleep(0.2)
            fh.write(text[len(text) // 2 :])
        aside = inbox / "renamed.txt.part"
        shutil.copy(SEEDS / "003_90df82462330a561.txt", aside)
        aside.rename(inbox / "renamed.txt")
        wait_for(lambda: landed(runs) == 3, runs)
    finally:
        stop.set()
        watcher.join(timeout=30)
    assert not watcher.is_alive()
    assert rows(warehouse, "SELECT count(DISTINCT source_uri), count(*) FROM articles") == [(3, 3)]
    # The half-written version of dropped.txt never landed: one article, the whole text.
    (words,) = rows(
        warehouse, "SELECT word_count FROM articles WHERE source_uri LIKE '%dropped.txt'"
    )[0]
    assert words > 300


def landed(runs: list[RunSummary]) -> int:
    # Not a query: this process's watcher thread holds the warehouse open for writing.
    return sum(r.new_articles for r in runs)


def wait_for(condition, runs: list[RunSummary], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out; runs so far: {[r.counts() for r in runs]}")


def test_watcher_stops_promptly(tmp_path: Path, warehouse: str) -> None:
    stop = threading.Event()
    watcher = threading.Thread(
        target=watch_inbox, kwargs=dict(inbox=str(tmp_path), warehouse=warehouse, stop=stop)
    )
    watcher.start()
    time.sleep(3)
    started = time.monotonic()
    stop.set()
    watcher.join(timeout=30)
    assert not watcher.is_alive() and time.monotonic() - started < 5


def test_ingest_inbox_command(tmp_path: Path, warehouse: str) -> None:
    from click.testing import CliRunner

    from flows.cli import main

    inbox = tmp_path / "drop"
    inbox.mkdir()
    shutil.copy(SEEDS / "001_801dbc815b007bc0.txt", inbox / "one.txt")
    age(inbox / "one.txt")
    result = CliRunner().invoke(main, ["--warehouse", warehouse, "ingest", "inbox", str(inbox)])
    assert result.exit_code == 0, result.output
    assert "ingest-inbox: 1 found, 0 unchanged, 1 read, 1 new" in result.output
