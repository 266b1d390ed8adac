"""The `newsflow` command line."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from flows.cli import format_table, main
from tests.conftest import FIXTURES, SEEDS


@pytest.fixture
def landed(prefect_server, warehouse: str) -> str:
    result = CliRunner().invoke(main, ["--warehouse", warehouse, "ingest", "seeds", str(SEEDS)])
    assert result.exit_code == 0, result.output
    assert "5 new (0 duplicates), 0 errors" in result.output
    return warehouse


def test_ingest_files_reports_errors_by_name(
    prefect_server, warehouse: str, tmp_path: Path
) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    shutil.copy(SEEDS / "003_90df82462330a561.txt", tmp_path / "ok.txt")
    result = CliRunner().invoke(main, ["--warehouse", warehouse, "ingest", "files", str(tmp_path)])
    assert result.exit_code == 3, result.output  # the run completed, some inputs failed
    assert "1 new (0 duplicates), 1 errors" in result.output
    assert f"error [read] {tmp_path / 'empty.txt'}: empty file" in result.output


def test_warehouse_can_come_from_the_environment(prefect_server, warehouse: str) -> None:
    result = CliRunner().invoke(
        main, ["ingest", "seeds", str(SEEDS)], env={"NEWSFLOW_WAREHOUSE": warehouse}
    )
    assert result.exit_code == 0, result.output
    assert Path(warehouse).exists()


def test_query_as_table(landed: str) -> None:
    result = CliRunner().invoke(
        main,
        ["--warehouse", landed, "query",
         "SELECT title, published_at FROM articles WHERE published_at IS NOT NULL ORDER BY 2"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split(" | ")[0].strip() == "title"
    assert "2024-10-22 00:00:00" in lines[2] and "South Korea Eyes Military Support" in lines[2]
    assert lines[-1] == "(2 rows)"


def test_query_as_csv_and_json(landed: str) -> None:
    sql = "SELECT source_uri, length(text) AS chars FROM articles ORDER BY source_uri"
    as_csv = CliRunner().invoke(main, ["--warehouse", landed, "query", sql, "--format", "csv"])
    as_json = CliRunner().invoke(main, ["--warehouse", landed, "query", sql, "--format", "json"])
    records = list(csv.DictReader(io.StringIO(as_csv.output)))
    objects = [json.loads(line) for line in as_json.output.splitlines()]
    assert len(records) == len(objects) == 5
    assert [int(r["chars"]) for r in records] == [o["chars"] for o in objects]
    assert all(o["chars"] > 2000 for o in objects)


def test_json_timestamps_say_they_are_utc(landed: str) -> None:
    # published_at is a UTC TIMESTAMP: "2024-10-22T00:00:00" reads as local time elsewhere.
    sql = (
        "SELECT max(published_at) AS p, TIMESTAMPTZ '2024-01-02 03:04:05+02' AS z, "
        "DATE '2024-01-02' AS d FROM articles"
    )
    result = CliRunner().invoke(main, ["--warehouse", landed, "query", sql, "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {
        "p": "2024-10-25T00:00:00Z",
        "z": "2024-01-02T01:04:05+00:00",
        "d": "2024-01-02",
    }


def test_csv_writes_lists_as_json_and_bytes_as_hex(landed: str) -> None:
    # As --format json does; they were Python's repr: "['Elena Kuss', ...]", "b'\\x00'".
    sql = "SELECT ['Ann Lee', 'Bo Park'] AS authors, '\\x00\\xff'::BLOB AS raw, 3 AS n"
    result = CliRunner().invoke(main, ["--warehouse", landed, "query", sql, "--format", "csv"])
    assert result.exit_code == 0, result.output
    (record,) = csv.DictReader(io.StringIO(result.output))
    assert json.loads(record["authors"]) == ["Ann Lee", "Bo Park"]
    assert record["raw"] == "00ff" and record["n"] == "3"


def test_query_keeps_columns_with_the_same_name(landed: str) -> None:
    sql = "SELECT 1 AS n, 2 AS n"
    for fmt in ("table", "json"):
        result = CliRunner().invoke(main, ["--warehouse", landed, "query", sql, "--format", fmt])
        assert result.exit_code == 0
        assert ("n_2" in result.output) and ("2" in result.output.replace("n_2", ""))


def test_bad_sql_is_a_clean_error(landed: str) -> None:
    result = CliRunner().invoke(main, ["--warehouse", landed, "query", "SELECT nope FROM articles"])
    assert result.exit_code == 1
    assert "Error:" in result.output and "nope" in result.output


def test_installed_command_on_a_missing_warehouse(tmp_path: Path) -> None:
    exe = shutil.which("newsflow", path=str(Path(sys.executable).parent))
    assert exe, "the newsflow console script is installed by pyproject"
    proc = subprocess.run(
        [exe, "--warehouse", str(tmp_path / "none.duckdb"), "query", "SELECT 1"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 1
    assert "run `newsflow ingest seeds` first" in proc.stderr


def test_format_table_cuts_long_cells() -> None:
    out = format_table(["a", "b"], [{"a": "x" * 10, "b": None}], max_width=5)
    assert out.splitlines() == ["a     | b", "------+-----", "xxxx… | NULL", "(1 row)"]


OPML = b"""<?xml version="1.0"?><opml version="2.0"><body>
<outline text="Desk" xmlUrl="{feed}"/></body></opml>"""


def test_sources_import_list_and_ingest_feeds(
    prefect_server, warehouse: str, tmp_path: Path, web
) -> None:
    atom = (FIXTURES / "feeds" / "atom.xml").read_bytes().replace(b"{base}", web.base_url.encode())
    web.add("/feed.xml", atom, headers={"Content-Type": "application/atom+xml"})
    sources = tmp_path / "sources.toml"
    sources.write_text('[network]\nallowed_hosts = ["127.0.0.1"]\nper_host_delay = 0\n')
    opml = tmp_path / "feeds.opml"
    opml.write_bytes(OPML.replace(b"{feed}", web.url("/feed.xml").encode()))
    cli = ["--warehouse", warehouse, "--sources", str(sources)]

    imported = CliRunner().invoke(main, [*cli, "sources", "import-opml", str(opml)])
    assert imported.exit_code == 0, imported.output
    assert f"1 feeds in {opml}: 1 added to {sources}, 0 already there" in imported.output

    listed = CliRunner().invoke(main, [*cli, "sources", "list"])
    assert listed.exit_code == 0, listed.output
    assert "Desk" in listed.output and "| new" in listed.output

    ran = CliRunner().invoke(main, [*cli, "ingest", "feeds"])
    assert ran.exit_code == 3, ran.output  # its two pages are 404s: some inputs failed
    assert "2 found" in ran.output and "0 new" in ran.output and "2 errors" in ran.output

    listed = CliRunner().invoke(main, [*cli, "sources", "list"])
    assert "| ok" in listed.output  # the feed itself is healthy; its pages are 404s here


@pytest.mark.parametrize("refused", ["ftp://b.example/f", "https://alice:secret@b.example/f"])
def test_import_says_which_feeds_it_left_out_and_where_it_cannot_write(
    tmp_path: Path, refused: str
) -> None:
    # Refused schemes were counted as "already there"; a feed with a password failed the
    # whole import, naming a temporary file ('.sources.toml.N.new: feeds[1]: 'url' carries a
    # user name or password'); a sources file in a missing folder printed a FileNotFoundError.
    opml = tmp_path / "feeds.opml"
    opml.write_text(
        '<opml><body><outline text="a" xmlUrl="https://a.example/f"/>'
        f'<outline text="b" xmlUrl="{refused}"/></body></opml>'
    )
    sources = tmp_path / "sources.toml"
    for added, already in ((1, 0), (0, 1)):
        run = CliRunner().invoke(
            main, ["--sources", str(sources), "sources", "import-opml", str(opml)]
        )
        assert run.exit_code == 0, run.output
        assert run.output == (
            f"2 feeds in {opml}: {added} added to {sources}, {already} already there, "
            "1 left out (not http(s) URLs, or with a user name or password)\n"
        )
    assert "b.example" not in sources.read_text()
    nowhere = tmp_path / "no" / "sources.toml"
    run = CliRunner().invoke(main, ["--sources", str(nowhere), "sources", "import-opml", str(opml)])
    assert run.exit_code == 1
    assert (
        run.output
        == f"Error: {nowhere}: cannot write the sources file: No such file or directory\n"
    )


def test_a_bad_sources_file_is_a_clean_error(warehouse: str, tmp_path: Path) -> None:
    sources = tmp_path / "sources.toml"
    sources.write_text("[[feeds]]\nurl = 'gopher://x'\n")
    result = CliRunner().invoke(main, ["--sources", str(sources), "sources", "list"])
    assert result.exit_code == 1
    assert "'url' must be an http(s) URL" in result.output


def test_format_table_aligns_wide_and_combining_characters() -> None:
    # Titles of real articles: Chinese takes two terminal columns a character, Thai's vowel
    # and tone marks none; counted in characters the columns after them fell out of line.
    from rich.cells import cell_len

    rows = [
        {"language": "zh", "title": "北海道近海发生6.8级地震 至少12人遇难", "n": 263},
        {"language": "th", "title": "แผ่นดินไหวขนาด 6.8 ถล่มฮอกไกโด", "n": 168},
        {"language": "en", "title": "Earthquake off Hokkaido kills 12", "n": 61},
    ]
    lines = format_table(["language", "title", "n"], rows).splitlines()
    bars = {
        tuple(cell_len(line[:i]) for i, ch in enumerate(line) if ch == "|") for line in lines[2:5]
    }
    assert len(bars) == 1, lines
    cut = format_table(["title"], rows[:1], max_width=10).splitlines()[2]
    assert cut.endswith("…") and cell_len(cut) <= 10, cut


@pytest.mark.parametrize("encoding", ["latin-1", "ascii"])
def test_a_table_on_an_output_that_is_not_utf8_is_escaped_and_in_line(encoding: str) -> None:
    # ASCII: click wrote UTF-8 to it; Latin-1: the escapes were measured as the characters
    # they stand for (2 columns for '北'), pushing the columns after them out of line.
    rows = [
        {"title": "北海道近海发生6.8级地震", "place": "Zürich"},
        {"title": "Tokyo", "place": "Bern"},
    ]
    lines = format_table(["title", "place"], rows, encoding=encoding).splitlines()
    assert all(line.encode(encoding) for line in lines)  # nothing it cannot hold
    assert "\\u5317\\u6d77\\u9053" in lines[2]
    assert len({line.find("|") for line in lines[2:4]} | {lines[1].find("+")}) == 1, lines
    cut = format_table(["title"], rows[:1], max_width=12, encoding=encoding).splitlines()[2]
    assert cut.endswith("...") and len(cut) <= 12, cut


@pytest.mark.parametrize("fmt", ["table", "csv", "json"])
def test_query_on_an_output_that_is_not_utf8(tmp_path: Path, fmt: str) -> None:
    # A Latin-1 terminal or PYTHONIOENCODING=ascii: a Chinese title was 'Error:
    # UnicodeEncodeError' and exit 1, the whole output lost; now it is written as escapes.
    from warehouse.store import connect, migrate

    warehouse = str(tmp_path / "wh.duckdb")
    with connect(warehouse) as con:
        migrate(con)
    exe = shutil.which("newsflow", path=str(Path(sys.executable).parent))
    assert exe
    sql = "SELECT '北海道近海发生6.8级地震' AS title, 'Zürich' AS place"
    env = {**os.environ, "PYTHONIOENCODING": "latin-1", "NEWSFLOW_WAREHOUSE": warehouse}
    proc = subprocess.run(
        [exe, "query", sql, "--format", fmt], capture_output=True, timeout=60, env=env
    )
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.decode("latin-1")
    if fmt == "json":
        assert json.loads(out) == {"title": "北海道近海发生6.8级地震", "place": "Zürich"}
    else:
        assert "\\u5317\\u6d77\\u9053" in out and "Zürich" in out
