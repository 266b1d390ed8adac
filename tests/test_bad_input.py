"""Bad input gets a clear row in ingest_errors, loses nothing, and the rest of the run lands."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import pytest

from flows.ingest import ingest_files
from tasks.extract.pool import extract_batch
from tasks.sources.files import discover
from tests.conftest import FIXTURES, SEEDS, rows

PAGE = (FIXTURES / "pages" / "harbour-wind-farm.html").read_text(encoding="utf-8")
LATIN_ARTICLE = (
    "Fête de la bière à Zürich attire des foules\n\n"
    "Des milliers de visiteurs se sont rendus à Zürich ce week-end pour la fête annuelle, "
    "où l'on servait crème brûlée, raclette et bière brassée sur place. Les organisateurs "
    "ont salué une édition réussie malgré la pluie, et la police n'a signalé aucun incident "
    "majeur durant les trois jours de festivités au bord du lac.\n"
)
CP1252_PAGE = PAGE.replace('<meta charset="utf-8">', "").replace(
    "said the committee chair", "said the committee’s chair, “quietly” – and €5m later"
)


@pytest.fixture
def messy_folder(tmp_path: Path) -> Path:
    d = tmp_path / "inbox"
    d.mkdir()
    (d / "good.txt").write_bytes((SEEDS / "000_4e815ee1833a451d.txt").read_bytes())
    (d / "empty.txt").write_bytes(b"")
    (d / "blank.html").write_bytes(b"  \n\n \t \n")
    (d / "photo.html").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + os.urandom(2000))
    (d / "latin1.txt").write_bytes(LATIN_ARTICLE.encode("latin-1"))
    (d / "cp1252.html").write_bytes(CP1252_PAGE.encode("cp1252"))
    (d / "page.html.gz").write_bytes(gzip.compress(PAGE.replace("twelve", "ten").encode()))
    whole = gzip.compress((SEEDS / "002_44a44f5a35d60aa0.txt").read_bytes())
    (d / "truncated.txt.gz").write_bytes(whole[: len(whole) // 2])
    (d / "nav-only.html").write_text(
        "<html><body><nav><a href='/'>Home</a> <a href='/news'>News</a></nav></body></html>"
    )
    with open(d / "huge.html", "wb") as fh:  # 50 MB: bigger than any real article page
        fh.write(b"<html><body>" + b"<p>filler text for a very large page</p>\n" * 1_250_000)
    (d / "notes.pdf").write_bytes(b"%PDF-1.7 not picked up from a folder")
    return d


def test_bad_files_are_recorded_and_good_ones_land(
    prefect_server, warehouse: str, messy_folder: Path
) -> None:
    explicit_pdf = str(messy_folder / "notes.pdf")
    missing = str(messy_folder / "gone-before-we-started.txt")
    summary = ingest_files(paths=[str(messy_folder), explicit_pdf, missing], warehouse=warehouse)

    errors = {
        Path(uri).name: (stage, error, raw_size, raw is not None)
        for uri, stage, error, raw_size, raw in rows(
            warehouse, "SELECT source_uri, stage, error, raw_size, raw FROM ingest_errors"
        )
    }
    assert errors["empty.txt"][:2] == ("read", "empty file")
    assert errors["blank.html"][:2] == ("read", "empty file")
    assert errors["photo.html"][0] == "read"
    assert "not a text file: looks like PNG image" in errors["photo.html"][1]
    assert errors["photo.html"][2:] == (2016, True)  # the raw bytes are kept
    assert errors["truncated.txt.gz"][0] == "read"
    assert "truncated gzip" in errors["truncated.txt.gz"][1]
    assert errors["huge.html"][:2] == ("read", "file too large: 51,250,012 bytes > 20,000,000")
    assert errors["nav-only.html"][:2] == (
        "extract",
        "no article text found by trafilatura (2 words)",
    )
    assert "unsupported file type" in errors["notes.pdf"][1]
    assert errors["gone-before-we-started.txt"][:2] == ("discover", "no such file or directory")
    assert len(errors) == 8

    landed = dict(
        rows(warehouse, "SELECT regexp_extract(source_uri, '[^/]+$'), text FROM articles")
    )
    assert sorted(landed) == ["cp1252.html", "good.txt", "latin1.txt", "page.html.gz"]
    assert "crème brûlée" in landed["latin1.txt"]
    assert "committee’s chair, “quietly” – and €5m later" in landed["cp1252.html"]
    assert "ten offshore turbines" in landed["page.html.gz"]
    assert (summary.new_articles, summary.errors) == (4, 8)
    assert rows(warehouse, "SELECT status, errors FROM runs") == [("completed", 8)]

    # A second run retries the failures but records nothing twice, and lands nothing twice.
    again = ingest_files(paths=[str(messy_folder), explicit_pdf, missing], warehouse=warehouse)
    assert (again.unchanged, again.new_articles, again.errors) == (4, 0, 8)
    assert rows(warehouse, "SELECT count(*) FROM ingest_errors") == [(8,)]
    assert rows(warehouse, "SELECT count(*) FROM articles") == [(4,)]


def test_a_file_that_vanishes_mid_run_is_an_error_not_a_crash(tmp_path: Path) -> None:
    for name in ("a.txt", "b.txt", "c.txt"):
        (tmp_path / name).write_bytes((SEEDS / "001_801dbc815b007bc0.txt").read_bytes())
    items, errors = discover([str(tmp_path)], "file")
    assert len(items) == 3 and not errors
    (tmp_path / "b.txt").unlink()  # between discovery and reading
    articles, errors = extract_batch(items)
    assert [Path(a.source_uri).name for a in articles] == ["a.txt", "c.txt"]
    assert [(Path(e.source_uri).name, e.stage, e.error) for e in errors] == [
        ("b.txt", "read", "file vanished before it could be read")
    ]


def test_a_file_that_grows_past_the_cap_after_discovery_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "growing.txt"
    path.write_text("Short title\n\nShort body that will grow.\n")
    items, _ = discover([str(path)], "file")
    path.write_text("x " * 600)
    _, errors = extract_batch(items, max_bytes=1000)
    assert errors[0].error.startswith("file too large")


def test_hidden_and_unsupported_files_in_folders_are_skipped(tmp_path: Path) -> None:
    (tmp_path / ".hidden.txt").write_text("x")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.txt").write_text("x")
    (tmp_path / "image.jpg").write_bytes(b"\xff\xd8\xff")
    (tmp_path / "story.md").write_text("# Title\n\nBody")
    items, errors = discover([str(tmp_path)], "file")
    assert [Path(i.path).name for i in items] == ["story.md"] and not errors


def test_a_path_under_the_home_folder_is_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # docs/commands.md calls ingest_files(paths=["~/saved-pages"]); no shell expands the ~.
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "saved-pages").mkdir()
    (tmp_path / "saved-pages" / "a.txt").write_text("Headline\n\nSome text.", encoding="utf-8")
    items, errors = discover(["~/saved-pages"], "file")
    assert errors == []
    assert [item.path for item in items] == [str(tmp_path / "saved-pages" / "a.txt")]
