"""Hostile input through real flow runs: a document with tens of thousands of claims, a file
name that is not UTF-8, FIFOs, a stray invalid byte in UTF-8, control characters in text.
Each is one `ingest_errors` row or lands cleaned; nothing hangs and the rest of the folder
lands."""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from flows.inbox import ingest_inbox
from flows.ingest import ingest_files
from tasks.enrich.annotate import MAX_CHARS, MAX_CLAIMS, enrich
from tasks.extract.clean_text import strip_controls
from tasks.extract.document import article_from_feed, extract_item
from tasks.extract.pool import extract_batch
from tasks.models import Article, ListedItem, SourceItem
from tasks.sources.files import discover
from tests.conftest import FIXTURES, SEEDS, rows

HOSTILE = FIXTURES / "hostile"
SEED_FILES = sorted(SEEDS.glob("*.txt"))
# C0 and C1 control characters other than tab and newline.
CONTROLS = {chr(c) for c in [*range(0, 9), *range(11, 32), *range(0x7F, 0xA0)]}


def copy_seeds(folder: Path, n: int) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    for seed in SEED_FILES[:n]:
        shutil.copy(seed, folder / seed.name)
    return [seed.name for seed in SEED_FILES[:n]]


def landed_names(warehouse: str) -> list[str]:
    return sorted(
        name
        for (name,) in rows(warehouse, "SELECT regexp_extract(source_uri, '[^/]+$') FROM articles")
    )


def errors(warehouse: str) -> list[tuple[str, str, str]]:
    return sorted(
        rows(
            warehouse,
            "SELECT regexp_extract(source_uri, '[^/]+$'), stage, error FROM ingest_errors",
        )
    )


# --------------------------------------------------------------------------- claims (item 2)


def claim_heavy_text(n: int) -> str:
    """A document of `n` numeric claims, one per sentence."""
    lines = (f"They said {1000 + i:,} troops were sent." for i in range(n))
    return "Troop numbers at the border, day by day\n\n" + "\n".join(lines) + "\n"


def test_a_document_with_40000_claims_lands_with_its_claims_capped(
    prefect_server, warehouse: str, tmp_path: Path
) -> None:
    folder = tmp_path / "in"
    good = copy_seeds(folder, 2)
    (folder / "claims.txt").write_text(claim_heavy_text(40_000), encoding="utf-8")

    summary = ingest_files(paths=[str(folder)], warehouse=warehouse)

    assert landed_names(warehouse) == sorted([*good, "claims.txt"])
    assert errors(warehouse) == []
    assert (summary.new_articles, summary.errors) == (3, 0)
    [(count, low, high, first)] = rows(
        warehouse,
        "SELECT count(*), min(claim_no), max(claim_no), min_by(value, claim_no) FROM claims "
        "JOIN articles USING (article_id) WHERE source_uri LIKE '%claims.txt'",
    )
    # The first claims in text order are kept, numbered 1..MAX_CLAIMS.
    assert (count, low, high, first) == (MAX_CLAIMS, 1, MAX_CLAIMS, 1000.0)
    assert MAX_CLAIMS < 32_767
    # The other articles' claims landed too.
    assert rows(
        warehouse,
        "SELECT count(*) FROM claims JOIN articles USING (article_id) "
        "WHERE source_uri NOT LIKE '%claims.txt'",
    ) != [(0,)]


def test_claims_and_entities_are_looked_for_in_the_head_of_a_giant_text() -> None:
    line = "Officials in Seoul said North Korea sent about 1,500 troops to Russia.\n"
    filler = "The talks went on through the night without a statement.\n"
    text = line + filler * (MAX_CHARS // len(filler)) + line * 3
    found = enrich("Troops", text)
    assert [c["char_offset"] for c in found.claims] == [text.index("about 1,500")]
    assert {e["entity"]: e["mentions"] for e in found.entities}["Russia"] == 1


def test_claims_table_takes_claim_numbers_beyond_smallint(warehouse: str) -> None:
    from warehouse import store

    with store.connect(warehouse):
        pass
    assert rows(
        warehouse,
        "SELECT data_type FROM information_schema.columns "
        "WHERE table_name = 'claims' AND column_name = 'claim_no'",
    ) == [("INTEGER",)]


def test_migration_009_keeps_the_claims_of_an_older_warehouse(tmp_path: Path) -> None:
    import duckdb

    from warehouse import sql, store

    path = str(tmp_path / "old.duckdb")
    with duckdb.connect(path) as con:  # a warehouse as version 008 left it
        con.execute(
            "CREATE TABLE schema_migrations "
            "(version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)"
        )
        for version, name, text in sql.migrations():
            if version <= 8:
                con.execute(text)
                con.execute("INSERT INTO schema_migrations VALUES (?, ?, now())", [version, name])
        con.execute(
            "INSERT INTO claims VALUES ('a1', 7, 1500, NULL, 'approx', 'troops', 'troops', "
            "NULL, 'about 1,500 troops', 'About 1,500 troops went.', 6)"
        )
    with store.connect(path):
        pass
    assert rows(path, "SELECT article_id, claim_no, value, quantity FROM claims") == [
        ("a1", 7, 1500.0, "about 1,500 troops")
    ]
    assert rows(
        path,
        "SELECT data_type FROM information_schema.columns "
        "WHERE table_name = 'claims' AND column_name = 'claim_no'",
    ) == [("INTEGER",)]


# --------------------------------------------------------------- non-UTF-8 names (item 3)

BAD_NAME = os.fsdecode(b"caf\xe9.txt")


def test_a_file_name_that_is_not_utf8_is_one_error_and_the_rest_lands(
    prefect_server, warehouse: str, tmp_path: Path
) -> None:
    folder = tmp_path / "in"
    good = copy_seeds(folder, 2)
    shutil.copy(SEED_FILES[2], folder / BAD_NAME)

    first = ingest_files(paths=[str(folder)], warehouse=warehouse)
    assert landed_names(warehouse) == sorted(good)
    assert errors(warehouse) == [
        ("caf\\xe9.txt", "discover", "file name is not valid UTF-8: rename it")
    ]
    assert (first.new_articles, first.errors) == (2, 1)

    again = ingest_files(paths=[str(folder)], warehouse=warehouse)
    assert (again.new_articles, again.unchanged) == (0, 2)
    assert rows(warehouse, "SELECT count(*) FROM ingest_errors") == [(1,)]
    assert rows(warehouse, "SELECT count(*) FROM articles") == [(2,)]

    # Named explicitly it is the same row, not a second one. (Not through a flow run here:
    # Prefect cannot send such a name as a flow parameter.)
    [(error_id,)] = rows(warehouse, "SELECT error_id FROM ingest_errors")
    items, named = discover([str(folder / BAD_NAME)], "file")
    assert items == [] and [e.error_id for e in named] == [error_id]


def test_a_file_name_that_is_not_utf8_does_not_block_the_inbox(
    prefect_server, warehouse: str, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    good = copy_seeds(inbox, 2)
    shutil.copy(SEED_FILES[2], inbox / BAD_NAME)
    summary = ingest_inbox(inbox=str(inbox), warehouse=warehouse, settle_seconds=0)
    assert landed_names(warehouse) == sorted(good)
    assert summary.new_articles == 2
    assert [e[0] for e in errors(warehouse)] == ["caf\\xe9.txt"]


def test_errors_never_carry_surrogates(tmp_path: Path) -> None:
    missing = str(tmp_path / os.fsdecode(b"gone-\xff.txt"))
    _, errs = discover([missing], "file")
    [error] = errs
    assert error.source_uri.endswith("gone-\\xff.txt")
    for text in (error.source_uri, error.error, error.error_id):
        text.encode("utf-8")  # raises on a lone surrogate


def test_a_folder_name_that_is_not_utf8_is_reported_for_each_file(tmp_path: Path) -> None:
    folder = tmp_path / os.fsdecode(b"d\xe9p\xeaches")
    copy_seeds(folder, 1)
    items, errs = discover([str(tmp_path)], "file")
    assert items == []
    assert [(Path(e.source_uri).parent.name, e.error) for e in errs] == [
        ("d\\xe9p\\xeaches", "name of a folder above it is not valid UTF-8: rename it")
    ]


# ------------------------------------------------------------------------ FIFOs (item 4)


def release(fifo: Path) -> None:
    """Unblock a reader stuck in open() on `fifo`: open its write end, then close it."""
    try:
        fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
    except OSError:
        return  # nobody is reading it
    os.close(fd)


def guarded(run: Callable[[], object], fifos: list[Path], timeout: float = 60) -> object:
    """`run()` in a thread; fail (instead of hanging the suite) if it has not returned in
    `timeout` seconds, after opening the FIFOs' write ends so the stuck reader returns."""
    outcome: dict[str, object] = {}

    def target() -> None:
        try:
            outcome["value"] = run()
        except BaseException as exc:  # re-raised in the test's thread
            outcome["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        deadline = time.monotonic() + 30
        while thread.is_alive() and time.monotonic() < deadline:
            for fifo in fifos:
                release(fifo)
            thread.join(0.5)
        pytest.fail(f"the run was still blocked after {timeout:.0f} s (reading a FIFO?)")
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["value"]


def test_a_fifo_in_a_folder_is_skipped_and_one_named_is_an_error(
    prefect_server, warehouse: str, tmp_path: Path
) -> None:
    folder = tmp_path / "in"
    good = copy_seeds(folder, 2)
    os.mkfifo(folder / "stuck.txt")
    named = tmp_path / "named.txt"
    os.mkfifo(named)

    summary = guarded(
        lambda: ingest_files(paths=[str(folder), str(named)], warehouse=warehouse),
        [folder / "stuck.txt", named],
    )
    assert landed_names(warehouse) == sorted(good)
    # Skipped in the folder like any other file that is not an article; named, reported.
    assert errors(warehouse) == [("named.txt", "discover", "not a regular file (a FIFO)")]
    assert (summary.new_articles, summary.errors) == (2, 1)  # type: ignore[attr-defined]


def test_a_file_replaced_by_a_fifo_after_discovery_does_not_block(tmp_path: Path) -> None:
    path = tmp_path / "swapped.txt"
    shutil.copy(SEED_FILES[0], path)
    items, _ = discover([str(path)], "file")
    path.unlink()
    os.mkfifo(path)
    articles, errs = guarded(lambda: extract_batch(items), [path], timeout=20)  # type: ignore[misc]
    assert articles == []
    assert [(e.stage, e.error) for e in errs] == [
        ("read", "cannot read file: not a regular file (a FIFO)")
    ]


# ----------------------------------------------------------- an invalid byte (item 8)


def test_utf8_with_one_invalid_byte_is_read_as_utf8_and_the_repair_recorded(
    prefect_server, warehouse: str, tmp_path: Path
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(HOSTILE / "utf8-one-bad-byte.txt", folder / "bad-byte.txt")
    ingest_files(paths=[str(folder)], warehouse=warehouse)
    [(title, text, encoding)] = rows(warehouse, "SELECT title, text, encoding FROM articles")
    assert title == "Café owners in Zürich count the cost of the storm"
    assert "Café Sprüngli on the Paradeplatz in Zürich" in text
    assert "crème brûlée" in text.lower() and "“We lost about €40,000 of stock,”" in text
    assert "owner\ufffds brother" in text  # the one byte that was not UTF-8
    assert "Ã" not in text
    assert encoding == "utf-8 (1 invalid byte replaced)"


# ---------------------------------------------------------- control characters (item 15)


def test_nul_and_control_characters_after_8kb_are_stripped(
    prefect_server, warehouse: str, tmp_path: Path
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(HOSTILE / "nul-after-8k.txt", folder / "nul.txt")
    summary = ingest_files(paths=[str(folder)], warehouse=warehouse)
    assert summary.new_articles == 1
    [(title, text)] = rows(warehouse, "SELECT title, text FROM articles")
    assert title == "Council approves the harbour wind farm"
    assert not CONTROLS & set(title + text)
    assert "The chair said the vote was close. Work starts in" in text
    assert text.endswith("The port will stay open.")


def test_control_characters_are_stripped_from_html_and_feed_content(tmp_path: Path) -> None:
    page = (FIXTURES / "pages" / "harbour-wind-farm.html").read_text(encoding="utf-8")
    # Control characters escaped in JSON-LD (which the HTML parser does not see), raw in the
    # body, and NULs past the first 8 KB.
    dirty = (
        page.replace('"headline":"Harbour', '"headline":"\\u0007Harbour')
        .replace('"name":"Morag Lindsay"', '"name":"Morag\\u0000 Lindsay"')
        .replace("offshore turbines", "offshore\x85 turbines\x9c\x7f")
        .replace("</body>", "<p>\x00\x00</p></body>")
    )
    path = tmp_path / "page.html"
    path.write_bytes(b"<!-- " + b"x" * 9000 + b" -->\n" + dirty.encode("utf-8"))
    article = extract_item(SourceItem("file", str(path), str(path), 0, 0))
    assert isinstance(article, Article), article
    assert (article.title, article.author) == (
        "Harbour wind farm approved after three-year fight",
        "Morag Lindsay",
    )
    fields = [article.title, article.text, article.author, article.description]
    assert not CONTROLS & set("".join(f or "" for f in fields))
    assert "offshore turbines" in article.text

    body = "Ministers\x00 met on Monday\x1f to agree the budget; " * 5
    entry = ListedItem("g1", None, None, "Budget\x00 agreed\x7f", None, "Ann\x00 Lee", None, body)
    fed = article_from_feed(SourceItem("feed", "https://example.org/f", "", 0, 0, hints=entry))
    assert fed is not None
    assert (fed.title, fed.author) == ("Budget agreed", "Ann Lee")
    assert not CONTROLS & set(fed.text)


def test_strip_controls_keeps_tabs_and_newlines() -> None:
    dirty = "a\tb\nc\r\nd\re\x0bf\x0cg\x00h\x1b\x7f\x85\x9fi"
    assert strip_controls(dirty) == "a\tb\nc\nd\ne\nf\ngh" + "i"
    clean = "Grüße — “quoted”\n\tindented"
    assert strip_controls(clean) is clean


def test_a_giant_cookie_line_and_a_title_of_many_parts_do_not_stall_extraction(
    tmp_path: Path,
) -> None:
    # Each once cost quadratic time: the cookie banner's look-aheads on a long line (a 190 KB
    # line took 42 s), the title's parts searched for the site's name.
    giant = "We use cookies, " + "stimmX" * 150_000 + " zu."
    title = "Der Hafen wächst" + " | Teil" * 100_000 + " | Example"
    page = tmp_path / "giant.html"
    page.write_text(
        f"<html><head><title>{title}</title></head><body><article><h1>Der Hafen wächst</h1>"
        + "<p>Der Hafen von Kiel hat im Jahr mehr umgeschlagen als je zuvor, sagt die Behörde."
        " Die Reedereien wollen weitere Linien anlaufen lassen.</p>"
        * 5
        + f"<p>{giant}</p></article></body></html>",
        encoding="utf-8",
    )
    items, _ = discover([str(page)], "file")
    article = guarded(lambda: extract_item(items[0]), [], timeout=60)
    assert isinstance(article, Article), article
    assert "Der Hafen von Kiel hat im Jahr mehr umgeschlagen" in article.text


def test_thousands_of_marked_leads_notices_and_calendar_cells_do_not_stall_extraction(
    tmp_path: Path,
) -> None:
    # The lead a page marks, the notice words and the calendar rows are looked for on every
    # line or element: each search must stay linear in the page.
    story = (
        "<p>Der Hafen von Kiel hat im Jahr mehr umgeschlagen als je zuvor, sagt die Behörde."
        " Die Reedereien wollen weitere Linien anlaufen lassen.</p>"
    )
    marked = (
        '<div class="teaser-intro"><span>Ein Satz aus zehn Wörtern steht hier im Teaser.'
        "</span></div>"
    )
    days = "".join(f"<td>{i % 31 + 1}</td>" for i in range(5000))
    page = tmp_path / "many.html"
    page.write_text(
        "<html><head><title>Der Hafen</title></head><body><h1>Der Hafen</h1>"
        + marked * 5000
        + f"<article>{story * 5}<table><tr>{days}</tr></table>"
        + "<p>Newsletter Newsletter Newsletter abonnieren erhalten Newsletter</p>" * 5000
        + "</article></body></html>",
        encoding="utf-8",
    )
    items, _ = discover([str(page)], "file")
    article = guarded(lambda: extract_item(items[0]), [], timeout=60)
    assert isinstance(article, Article), article
    lines = article.text.split("\n")
    assert lines[0] == "Ein Satz aus zehn Wörtern steht hier im Teaser."  # the first, once
    assert "Der Hafen von Kiel hat im Jahr mehr umgeschlagen" in article.text
    assert "Newsletter" not in article.text


def test_thousands_of_calls_to_follow_a_line_per_platform_all_go() -> None:
    # The rule once recursed a call deeper per call it dropped: 1,000 of them raised
    # RecursionError, and the page would have been lost.
    from tasks.extract.document import _without_labels

    calls = "Siguenos en\nTwitter\nFacebook\n" * 5000
    assert _without_labels(f"Der Hafen wächst.\n{calls}Ende.") == "Der Hafen wächst.\nEnde."


def test_thousands_of_teaser_cards_with_bylines_do_not_stall_the_author_search() -> None:
    # Each card's byline is weighed against its card's and the article's text: measured
    # once each, or a page of cards costs the square of its length.
    from tasks.extract.metadata import page_metadata

    card = '<article><span class="author">Karl Kartenmann</span><p>Ein Teaser.</p></article>'
    page = (
        "<html><body><article><h1>Der Hafen</h1>"
        + card * 40000
        + "<p>Der Hafen von Kiel hat mehr umgeschlagen als je zuvor.</p>" * 2000
        + '<span class="author">Anna Autorin</span></article></body></html>'
    )
    meta = guarded(lambda: page_metadata(page), [], timeout=60)
    assert meta.authors == ("Anna Autorin",)  # type: ignore[attr-defined]


def test_a_title_of_a_megabyte_is_cut_to_a_title_s_length(tmp_path: Path) -> None:
    from tasks.extract.document import MAX_TITLE_CHARS

    words = "Harbour council approves the budget " * 30_000  # ~1 MB
    story = (
        "<p>Der Hafen von Kiel hat im Jahr mehr umgeschlagen als je zuvor, sagt die Behörde.</p>"
    )
    page = tmp_path / "long-title.html"
    page.write_text(
        f"<html><head><title>{words}</title><meta name='description' content='{words}'>"
        f"</head><body><article>{story * 5}</article></body></html>",
        encoding="utf-8",
    )
    items, _ = discover([str(page)], "file")
    article = extract_item(items[0])
    assert isinstance(article, Article), article
    assert article.title is not None and len(article.title) <= MAX_TITLE_CHARS
    assert article.title.startswith("Harbour council approves the budget Harbour")
    assert article.title.endswith("…") and not article.title.endswith(" …")  # at a space
    assert article.description is not None and len(article.description) <= 10_000


def test_text_nested_below_256_levels_lands_and_below_2048_is_a_clear_error(
    tmp_path: Path,
) -> None:
    # Old pages' unclosed <font> or <div> tags nest this deep; libxml2 read nothing below 256
    # levels, and the page was "no article text found".
    story = "<p>Der Hafen von Kiel hat im Jahr mehr umgeschlagen als je zuvor, sagt sie.</p>"
    for depth, lands in [(300, True), (100_000, False)]:
        page = tmp_path / f"deep-{depth}.html"
        page.write_text(
            "<html><head><title>Hafen</title></head><body>"
            + "<div>" * depth + story * 3 + "</div>" * depth + "</body></html>",
            encoding="utf-8",
        )  # fmt: skip
        item = discover([str(page)], "file")[0][0]
        result = guarded(lambda item=item: extract_item(item), [], timeout=60)
        if lands:
            assert isinstance(result, Article), result
            assert "Der Hafen von Kiel" in result.text
        else:
            assert not isinstance(result, Article)
            assert "nest deeper than the 2,048 levels" in result.error
