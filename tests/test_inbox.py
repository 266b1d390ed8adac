"""The inbox: dropped files land once they are complete, exactly once, also across restarts,
whether a pass is run by hand or by the watcher."""

from __future__ import annotations

import os
import random
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
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
    # Nothing is read again: the file that failed is remembered too, until it changes.
    assert (again.new_articles, again.items_read, again.unchanged, again.errors) == (0, 0, 6, 0)
    assert rows(warehouse, "SELECT count(*) FROM ingest_errors") == [(1,)]
    assert sources.read_text(encoding="utf-8").count("korea.xml") == 1

    age(inbox / "still-writing.txt")
    last = ingest_inbox(inbox=str(inbox), warehouse=warehouse, sources=str(sources))
    assert (last.items_read, last.errors) == (1, 1)  # 3 words: no article, and said so
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
    with watching(inbox, warehouse) as (watcher, runs):
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


@contextmanager
def watching(inbox: Path, warehouse: str) -> Iterator[tuple[threading.Thread, list[RunSummary]]]:
    """A watcher thread over `inbox` (settling 0.5 s) and the summaries of its passes; it is
    stopped, and must be gone within 30 s, when the block ends."""
    stop, runs = threading.Event(), []
    watcher = threading.Thread(
        target=watch_inbox,
        kwargs=dict(inbox=str(inbox), warehouse=warehouse, settle_seconds=0.5, stop=stop,
                    on_run=runs.append),
    )  # fmt: skip
    watcher.start()
    try:
        yield watcher, runs
    finally:
        stop.set()
        watcher.join(timeout=30)


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


def runs_count(warehouse: str) -> int:
    return rows(warehouse, "SELECT count(*) FROM runs")[0][0]


def test_watcher_over_an_unchanged_inbox_creates_no_flow_run(
    tmp_path: Path, warehouse: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import flows.watch
    from flows.watch import InboxPasses

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(SEEDS / "000_4e815ee1833a451d.txt", inbox / "landed.txt")
    (inbox / "empty.txt").write_text("")  # a failed drop is not new either, once recorded
    for path in inbox.iterdir():
        age(path)
    # Rescan often, so that an unchanged inbox is looked at several times in a second or two.
    monkeypatch.setattr(flows.watch, "RESCAN_SECONDS", 0.3)
    with watching(inbox, warehouse) as (_, runs):
        wait_for(lambda: len(runs) == 1, runs)
        time.sleep(1.5)  # rescans of an inbox where nothing changed
    assert [(r.new_articles, r.errors) for r in runs] == [(1, 1)]
    assert runs_count(warehouse) == 1

    # A watcher starting over the same inbox asks the warehouse once, and runs nothing.
    passes = InboxPasses(inbox, warehouse, settle_seconds=0.5)
    assert passes.run() is None and passes.run() is None
    assert runs_count(warehouse) == 1
    age(inbox / "landed.txt", 60)  # touched: a changed file is worth a pass
    touched = passes.run()
    assert touched is not None and (touched.items_read, touched.unchanged) == (1, 1)
    assert runs_count(warehouse) == 2


def test_a_failed_drop_is_recorded_once_and_retried_when_it_changes(
    tmp_path: Path, warehouse: str
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "empty.txt").write_text("")
    (inbox / "empty.xml").write_text("")
    for path in inbox.iterdir():
        age(path)
    first = ingest_inbox(inbox=str(inbox), warehouse=warehouse)
    assert (first.items_read, first.errors) == (2, 2)
    again = ingest_inbox(inbox=str(inbox), warehouse=warehouse)
    assert (again.items_read, again.unchanged, again.errors) == (0, 2, 0)
    assert rows(warehouse, "SELECT count(*) FROM ingest_errors") == [(2,)]

    shutil.copy(SEEDS / "002_44a44f5a35d60aa0.txt", inbox / "empty.txt")
    feed = (FIXTURES / "feeds" / "rss2.xml").read_text(encoding="utf-8")
    (inbox / "empty.xml").write_text(feed.replace("{base}", "https://news.example.org"))
    for path in inbox.iterdir():
        age(path, 60)  # changed since the last pass: a new size and mtime
    fixed = ingest_inbox(inbox=str(inbox), warehouse=warehouse)
    assert (fixed.items_read, fixed.new_articles, fixed.errors) == (2, 2, 0)
    assert ingest_inbox(inbox=str(inbox), warehouse=warehouse).items_read == 0


def test_serve_drops_the_inbox_schedule_only_while_watching() -> None:
    from flows.serve import load_specs, runner_deployment, watched_specs

    specs = {s.name: s for s in load_specs()}
    assert specs["inbox"].schedules  # what a work pool gets: the backstop
    served = {s.name: s for s in watched_specs(list(specs.values()))}
    assert served["inbox"].schedules == ()
    assert {n: s for n, s in served.items() if n != "inbox"} == {
        n: s for n, s in specs.items() if n != "inbox"
    }
    assert not runner_deployment(served["inbox"], {}).schedules
    assert runner_deployment(specs["inbox"], {}).schedules


def test_serve_watches_the_inbox_with_the_deployment_file_parameters() -> None:
    # Slow writers need a longer settle_seconds; under serve the watcher took neither that nor
    # the inbox folder from the deployments file, and watched the inbox under --only feeds.
    from dataclasses import replace

    from flows.serve import DeploymentFileError, load_specs, select_specs, watcher_options

    specs = load_specs()
    inbox = next(s for s in specs if s.name == "inbox")
    tuned = replace(inbox, parameters={"settle_seconds": 10, "inbox": "/srv/drop", "batch_size": 5})
    mixed = [tuned if s is inbox else s for s in specs]
    assert watcher_options(mixed, {"warehouse": "w.duckdb", "inbox": None}) == {
        "settle_seconds": 10,
        "inbox": "/srv/drop",
        "warehouse": "w.duckdb",
    }
    assert watcher_options(mixed, {"inbox": "here"})["inbox"] == "here"  # --inbox wins
    assert watcher_options(select_specs(specs, ["feeds"]), {}) is None
    for bad in ("10", -1, True, 1e9):
        wrong = [replace(inbox, parameters={"settle_seconds": bad})]
        with pytest.raises(DeploymentFileError, match="settle_seconds must be a number"):
            watcher_options(wrong, {})


def archive_feed(entries: int, padding: int = 0) -> str:
    """An RSS file of `entries` items, each carrying enough distinct text to be an article,
    and `padding` bytes of XML comment (a file that is big without being long)."""
    words = [
        "harbour", "council", "budget", "river", "transit", "school", "market", "energy", "grain",
        "court", "mayor", "railway", "station", "museum", "bridge", "election", "hospital",
        "storm", "drought", "vaccine", "airport", "coastline", "factory", "strike", "minister",
        "treaty", "border", "summit", "inflation", "tariff", "shipyard", "orchard", "library",
    ]  # fmt: skip
    rnd = random.Random(entries)
    items = []
    for i in range(entries):
        text = " ".join(rnd.choice(words) for _ in range(20))
        items.append(
            f"<item><title>Story {i}</title><link>https://archive.example.org/{i}</link>"
            f"<guid>archive-{i}</guid><content:encoded>Item {i}: {text}."
            "</content:encoded></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
        f"<title>Archive</title><!-- {'x' * padding} -->{''.join(items)}</channel></rss>\n"
    )


def test_a_big_dropped_feed_lands_in_batches(tmp_path: Path, warehouse: str) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "archive.xml").write_text(archive_feed(500), encoding="utf-8")
    age(inbox / "archive.xml")
    summary = ingest_inbox(inbox=str(inbox), warehouse=warehouse, feed_batch_size=150)
    assert (summary.new_articles + summary.duplicates, summary.errors) == (500, 0)
    # Each landing transaction stamps its rows with one ingested_at: 150, 150, 150, 50.
    per_transaction = rows(
        warehouse, "SELECT count(*) FROM articles GROUP BY ingested_at ORDER BY 1 DESC"
    )
    assert [n for (n,) in per_transaction] == [150, 150, 150, 50]
    # The file is recorded once all its entries landed: the next pass skips it.
    assert ingest_inbox(inbox=str(inbox), warehouse=warehouse).unchanged == 1


def test_dropped_feeds_over_the_caps_are_one_error_each(tmp_path: Path, warehouse: str) -> None:
    from flows.inbox import MAX_FEED_ENTRIES
    from tasks.sources.http.fetch import FetchPolicy

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "huge.xml").write_text(archive_feed(3, padding=FetchPolicy.max_bytes))
    long = "".join(f"<item><guid>{i}</guid></item>" for i in range(MAX_FEED_ENTRIES + 1))
    (inbox / "long.rss").write_text(f'<rss version="2.0"><channel>{long}</channel></rss>')
    for path in inbox.iterdir():
        age(path)
    summary = ingest_inbox(inbox=str(inbox), warehouse=warehouse)
    assert (summary.new_articles, summary.errors) == (0, 2)
    errors = dict(rows(warehouse, "SELECT source_uri, error FROM ingest_errors"))
    assert "too large" in errors[str(inbox / "huge.xml")]
    assert f"over the cap of {MAX_FEED_ENTRIES:,}" in errors[str(inbox / "long.rss")]
    assert rows(warehouse, "SELECT count(*) FROM articles") == [(0,)]


def test_a_cut_off_feed_lands_its_whole_entries_and_says_what_was_wrong(
    tmp_path: Path, warehouse: str
) -> None:
    # A feed file cut in the middle of its last entry (a copy that stopped): feedparser
    # reads it leniently. The entries before the cut land; the file is one error row, not a
    # silent pass.
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    whole = archive_feed(3)
    cut = whole[: whole.rindex("<content:encoded>") + len("<content:encoded>Item 2: har")]
    (inbox / "cut.xml").write_text(cut)
    age(inbox / "cut.xml")
    summary = ingest_inbox(inbox=str(inbox), warehouse=warehouse)
    assert (summary.new_articles, summary.errors) == (2, 1)
    (error,) = rows(warehouse, "SELECT error FROM ingest_errors")
    assert error[0].startswith("malformed feed, parsed leniently:")
    assert "2 of 3 entries carry text" in error[0]


def test_a_dropped_feed_entry_without_a_link_is_known_by_the_file_and_its_guid(
    tmp_path: Path, warehouse: str
) -> None:
    # Resolved against the file's own URI, the guid became 'file://tmp/…/id-900001', a URI
    # with the host 'tmp', and was taken for the entry's link.
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    text = "The council approved the plan to expand the tram network by five kilometres, it said."
    (inbox / "guids.xml").write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
        f"<item><title>Tram</title><guid>id-900001</guid><description>{text} {text}</description>"
        "</item></channel></rss>"
    )
    age(inbox / "guids.xml")
    summary = ingest_inbox(inbox=str(inbox), warehouse=warehouse)
    assert (summary.new_articles, summary.errors) == (1, 0)
    ((uri, url),) = rows(warehouse, "SELECT source_uri, url FROM articles")
    assert uri == f"{inbox / 'guids.xml'}#id-900001" and url is None


def test_a_dropped_feed_of_headlines_only_is_one_row_that_says_how_to_fetch_it(
    tmp_path: Path, warehouse: str
) -> None:
    # Most feeds carry a headline and a link, no text: it was a pass that counted the file
    # read and landed nothing, with no word of why.
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    items = "".join(
        f"<item><title>Story {i}</title><link>https://news.example.org/{i}</link>"
        f"<guid>g{i}</guid></item>"
        for i in range(3)
    )
    (inbox / "headlines.xml").write_text(
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>{items}</channel></rss>'
    )
    age(inbox / "headlines.xml")
    summary = ingest_inbox(inbox=str(inbox), warehouse=warehouse)
    assert (summary.new_articles, summary.errors) == (0, 1)
    ((stage, error),) = rows(warehouse, "SELECT stage, error FROM ingest_errors")
    assert stage == "extract" and error.startswith("none of its 3 entries carries text")
    assert "newsflow ingest feed URL" in error
    again = ingest_inbox(inbox=str(inbox), warehouse=warehouse)
    assert (again.items_read, again.errors) == (0, 0)  # once, until the file changes


def test_a_file_name_that_is_not_utf8_does_not_end_the_watcher(
    tmp_path: Path, warehouse: str
) -> None:
    # watchfiles raised WatchfilesRustInternalError ('Unable to decode path') for the event
    # of such a name: the watcher thread of `serve` died with a traceback and serve went on
    # polling feeds with no one watching the inbox; `watch` exited 1.
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    with watching(inbox, warehouse) as (watcher, runs):
        time.sleep(2)
        with open(os.fsencode(inbox) + b"/caf\xe9.txt", "wb") as fh:
            fh.write((SEEDS / "000_4e815ee1833a451d.txt").read_bytes())
        time.sleep(2)
        shutil.copy(SEEDS / "001_801dbc815b007bc0.txt", inbox / "after.txt")
        wait_for(lambda: landed(runs) == 1, runs)
        assert watcher.is_alive()
    assert not watcher.is_alive()


def test_a_file_that_fails_before_it_is_read_is_skipped_until_it_changes(
    tmp_path: Path, warehouse: str
) -> None:
    # A FIFO and a name that is not UTF-8 were errors of every pass (one row, counted each
    # time), and made every watcher start run a pass: an idle inbox was not idle.
    from flows.watch import InboxPasses

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    os.mkfifo(inbox / "pipe.html")
    bad = Path(os.fsdecode(bytes(inbox) + b"/caf\xe9.txt"))
    bad.write_text("A story with an odd name.\n")
    shutil.copy(SEEDS / "002_44a44f5a35d60aa0.txt", inbox / "one.txt")
    for path in (inbox / "pipe.html", bad, inbox / "one.txt"):
        age(path)
    first = ingest_inbox(inbox=str(inbox), warehouse=warehouse)
    assert (first.new_articles, first.errors, first.unchanged) == (1, 2, 0)
    shutil.copy(SEEDS / "000_4e815ee1833a451d.txt", inbox / "two.txt")
    age(inbox / "two.txt")
    second = ingest_inbox(inbox=str(inbox), warehouse=warehouse)
    assert (second.new_articles, second.errors, second.unchanged) == (1, 0, 3)
    assert rows(warehouse, "SELECT count(*) FROM ingest_errors") == [(2,)]
    # A watcher started now finds nothing to take: no flow run.
    assert InboxPasses(inbox, warehouse).run() is None
    # Changed, the FIFO is looked at again, and fails again.
    age(inbox / "pipe.html", 30)
    third = ingest_inbox(inbox=str(inbox), warehouse=warehouse)
    assert (third.errors, third.unchanged) == (1, 3)
