"""The `newsflow` command's exit codes, for scripts and cron: 0 every input landed or was
unchanged, 3 the run completed but some inputs failed (their ingest_errors rows exist),
1 the run could not run (one line, no traceback), 2 a usage error, 130 interrupted. Bad
arguments, warehouse and sources files are found before Prefect starts.

These run the installed console script as a subprocess, as cron would. A fresh PREFECT_HOME
that does not exist yet tells whether Prefect was imported at all (importing it creates it).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import SEEDS, rows
from tests.webserver import Reply

NEWSFLOW = str(Path(sys.executable).parent / "newsflow")


def newsflow(
    tmp_path: Path, *args: str, api_url: str | None = None
) -> subprocess.CompletedProcess[str]:
    proc = subprocess.Popen(
        [NEWSFLOW, *args], env=_env(tmp_path, api_url), cwd=tmp_path, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
    )  # fmt: skip
    try:
        out, err = proc.communicate(timeout=300)
    finally:
        if proc.poll() is None:  # timed out (before the fix, `serve` ran on): leave nothing,
            os.killpg(proc.pid, signal.SIGKILL)  # not its temporary Prefect server either
            proc.wait()
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def _env(tmp_path: Path, api_url: str | None) -> dict[str, str]:
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect-home")}
    for name in ("PREFECT_API_URL", "NEWSFLOW_WAREHOUSE", "NEWSFLOW_SOURCES"):
        env.pop(name, None)
    if api_url:
        env["PREFECT_API_URL"] = api_url
    return env


def _prefect_started(tmp_path: Path) -> bool:
    return (tmp_path / "prefect-home").exists()


def signalled(
    tmp_path: Path,
    args: list[str],
    ready: Callable[[], bool],
    signum: int,
    *,
    stop_within: float,
    api_url: str | None = None,
    group: bool = False,
) -> subprocess.CompletedProcess[str]:
    """newsflow `args`, sent `signum` once `ready()` (within 120 s; with `group`, to its whole
    process group, as a terminal sends Ctrl-C), then given `stop_within` seconds to stop."""
    proc = subprocess.Popen(
        [NEWSFLOW, *args], env=_env(tmp_path, api_url), cwd=tmp_path, text=True,
        start_new_session=group, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip

    def send(sig: int) -> None:
        if group:
            os.killpg(proc.pid, sig)
        else:
            proc.send_signal(sig)

    try:
        started = time.monotonic()
        # Asked once a turn: a second look could say otherwise (a read of the warehouse finds
        # 0 articles while the run holds its lock, and failed the test so 1 time in ~10).
        while not (got_there := ready()) and proc.poll() is None:
            if time.monotonic() > started + 120:
                break
            time.sleep(0.1)
        if proc.poll() is not None or not got_there:
            state = f"ended with {proc.returncode}" if proc.poll() is not None else "ran"
            waited = time.monotonic() - started
            if proc.poll() is None:
                send(signal.SIGKILL)
            out, err = proc.communicate()
            raise AssertionError(
                f"the run {state} for {waited:.0f} s and never got where the signal was to "
                f"reach it; it printed:\n{out[-2000:]}\n{err[-4000:]}"
            )
        send(signum)
        out, err = proc.communicate(timeout=stop_within)
    finally:
        if proc.poll() is None:
            send(signal.SIGKILL)
            proc.wait()
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


FIFO, DEV_ZERO, HUGE = "<a FIFO>", "</dev/zero>", "<17 MB>"


def special_file(path: Path, content: str | None) -> None:
    """`path` holding `content`, or made a FIFO, a link to /dev/zero or a 17 MB sparse file;
    with None, nothing there."""
    if content == FIFO:
        os.mkfifo(path)
    elif content == DEV_ZERO:
        path.symlink_to("/dev/zero")
    elif content == HUGE:
        with open(path, "wb") as fh:
            fh.truncate(17_000_000)
    elif content is not None:
        path.write_text(content, encoding="utf-8")


@pytest.fixture
def api_url(prefect_server) -> str:
    """The session's Prefect server, for the subprocesses to run their flows against."""
    from prefect.settings import PREFECT_API_URL

    return PREFECT_API_URL.value()


def test_a_missing_path_is_a_usage_error_before_prefect(tmp_path: Path) -> None:
    warehouse, missing = tmp_path / "w.duckdb", tmp_path / "no" / "such.txt"
    proc = newsflow(tmp_path, "--warehouse", str(warehouse), "ingest", "files", str(missing))
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert f"no such file or directory: {missing}" in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    assert not warehouse.exists()  # no flow run, no runs row
    assert not _prefect_started(tmp_path)


def test_a_batch_size_below_one_is_a_usage_error_before_prefect(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    args = ("--warehouse", str(warehouse), "ingest", "files", "--batch-size", "0", str(SEEDS))
    proc = newsflow(tmp_path, *args)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "--batch-size" in proc.stderr and "0 is not in the range" in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    assert not warehouse.exists() and not _prefect_started(tmp_path)


def test_a_file_that_is_not_duckdb_stops_the_run_before_prefect(tmp_path: Path) -> None:
    warehouse = tmp_path / "notduck.txt"
    warehouse.write_text("not a database\n")
    proc = newsflow(tmp_path, "--warehouse", str(warehouse), "ingest", "seeds", str(SEEDS))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    (line,) = proc.stderr.splitlines()
    assert str(warehouse) in line and "not a valid DuckDB database" in line
    assert proc.stdout == ""
    assert not _prefect_started(tmp_path)
    assert warehouse.read_text() == "not a database\n"
    # `sources list` listed every source as new and exited 0 on it.
    proc = newsflow(tmp_path, "--warehouse", str(warehouse), "sources", "list")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    (line,) = proc.stderr.splitlines()
    assert "not a valid DuckDB database" in line


@pytest.mark.parametrize(
    "command",
    [["ingest", "feeds"], ["ingest", "feed", "http://127.0.0.1:9/feed.xml"],
     ["ingest", "urls", "http://127.0.0.1:9/a"], ["ingest", "sitemap"]],
)  # fmt: skip
def test_a_bad_sources_file_stops_web_runs_before_prefect(
    tmp_path: Path, command: list[str]
) -> None:
    sources, warehouse = tmp_path / "sources.toml", tmp_path / "w.duckdb"
    sources.write_text("[[feeds]]\nurl = 'gopher://x'\n")
    proc = newsflow(tmp_path, "--warehouse", str(warehouse), "--sources", str(sources), *command)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    (line,) = proc.stderr.splitlines()
    assert "'url' must be an http(s) URL" in line
    assert not warehouse.exists() and not _prefect_started(tmp_path)


@pytest.mark.parametrize(("command", "said"), [
    (["ingest", "feeds"], "no feeds in {}: add [[feeds]] entries or run `newsflow sources "
     "import-opml`"),
    (["ingest", "sitemap"], "no sites in {}: add [[sites]] entries"),
])  # fmt: skip
def test_polling_what_is_not_configured_says_so_without_a_run(
    tmp_path: Path, command: list[str], said: str
) -> None:
    # It started a temporary Prefect server (10-30 s) to print '0 found' and exit 0.
    sources, warehouse = tmp_path / "sources.toml", tmp_path / "w.duckdb"
    sources.write_text("[network]\nper_host_delay = 1\n")
    proc = newsflow(tmp_path, "--warehouse", str(warehouse), "--sources", str(sources), *command)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stderr.splitlines() == [said.format(sources)]
    assert not warehouse.exists() and not _prefect_started(tmp_path)


@pytest.mark.parametrize("content", [FIFO, DEV_ZERO])
def test_a_sources_file_or_warehouse_that_is_no_file_stops_the_command(
    tmp_path: Path, content: str
) -> None:
    # A FIFO hung `stories` and `sources list`; /dev/zero as sources.toml filled memory.
    special = tmp_path / "special"
    special_file(special, content)
    for args in (["--sources", str(special), "sources", "list"],
                 ["--warehouse", str(special), "stories"]):  # fmt: skip
        proc = newsflow(tmp_path, *args)
        assert proc.returncode == 1, proc.stdout + proc.stderr
        (line,) = proc.stderr.splitlines()
        assert str(special) in line and "not a regular file" in line, line


@pytest.mark.parametrize("url", ["notaurl", "javascript:alert(1)", "http://"])
def test_a_sitemap_that_is_no_web_url_is_a_usage_error(tmp_path: Path, url: str) -> None:
    # Taken for a site: 'notaurl' fetched ':/news-sitemap.xml' and ':/sitemap.xml'.
    proc = newsflow(tmp_path, "ingest", "sitemap", url)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert f"not an http(s) URL: {url}" in proc.stderr
    assert not _prefect_started(tmp_path)


@pytest.mark.parametrize("command", ["urls", "feed"])
def test_pages_or_feeds_none_of_which_is_a_web_url_are_a_usage_error(
    tmp_path: Path, command: str
) -> None:
    # As for `ingest files` with no existing path: it started Prefect and exited 3.
    proc = newsflow(tmp_path, "ingest", command, "ftp://example.org/a", "notaurl")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "not an http(s) URL: ftp://example.org/a, notaurl" in proc.stderr
    assert not _prefect_started(tmp_path)


# ftp: `ingest sitemap` said 'not an http(s) URL: ftp://alice:s3cret@…', password and all.
@pytest.mark.parametrize("command", [["urls"], ["feed"], ["sitemap"]])
@pytest.mark.parametrize("scheme", ["http", "ftp"])
def test_a_url_with_a_password_is_a_usage_error_that_never_shows_it(
    tmp_path: Path, command: list[str], scheme: str
) -> None:
    proc = newsflow(tmp_path, "ingest", *command, f"{scheme}://alice:s3cret@127.0.0.1:9/x.xml")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert f"a URL with a user name or password: {scheme}://127.0.0.1:9/x.xml" in proc.stderr
    assert "s3cret" not in proc.stderr + proc.stdout
    assert not _prefect_started(tmp_path)


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["stories", "--since", "notadate"], "--since"),
        (["topics", "--since", "yesterday"], "--since"),
        (["entities", "--limit", "-1"], "--limit"),
        (["stories", "--min-articles", "-5"], "--min-articles"),
    ],
)
def test_a_bad_option_of_a_shipped_query_is_a_usage_error(
    tmp_path: Path, args: list[str], option: str
) -> None:
    # DuckDB's Conversion or Binder Error, exit 1; --min-articles -5 was taken.
    proc = newsflow(tmp_path, *args)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert f"Invalid value for '{option}'" in proc.stderr
    assert "Error:" in proc.stderr and "Conversion" not in proc.stderr


def test_a_sources_file_named_but_missing_stops_web_runs_before_prefect(tmp_path: Path) -> None:
    # It was read as no sources at all: `ingest feeds` polled nothing and exited 0.
    missing = tmp_path / "sorces.toml"
    proc = newsflow(tmp_path, "--sources", str(missing), "ingest", "feeds")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert proc.stderr.splitlines() == [f"Error: sources file {missing} not found"]
    assert not _prefect_started(tmp_path)


@pytest.mark.parametrize("command", [["ingest", "inbox"], ["watch"]])
def test_an_inbox_that_is_a_file_stops_the_run_before_prefect(
    tmp_path: Path, command: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # NEWSFLOW_INBOX naming a file once started Prefect and ended in a traceback.
    (tmp_path / "notes.txt").write_text("a file, not a folder\n")
    monkeypatch.setenv("NEWSFLOW_INBOX", str(tmp_path / "notes.txt"))
    proc = newsflow(tmp_path, "--warehouse", str(tmp_path / "w.duckdb"), *command)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    (line,) = proc.stderr.splitlines()
    assert line.startswith(f"Error: inbox {tmp_path / 'notes.txt'}: cannot be a folder")
    assert not _prefect_started(tmp_path)


@pytest.mark.parametrize("command", [["ingest", "inbox"], ["watch"]])
def test_a_bad_sources_file_stops_the_inbox_before_prefect(
    tmp_path: Path, command: list[str]
) -> None:
    # An OPML drop adds its feeds to it: `watch` ran on (and every drop failed on the file),
    # `ingest inbox` exited 0.
    (tmp_path / "inbox").mkdir()
    sources = tmp_path / "sources.toml"
    sources.write_text("[[feeds]]\nurl = 'gopher://x'\n")
    args = ["--warehouse", str(tmp_path / "w.duckdb"), "--sources", str(sources)]
    proc = newsflow(tmp_path, *args, *command, str(tmp_path / "inbox"))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    (line,) = proc.stderr.splitlines()
    assert "'url' must be an http(s) URL" in line
    assert not _prefect_started(tmp_path)


@pytest.mark.parametrize("command", [["watch"], ["ingest", "seeds", str(SEEDS)]])
def test_an_unreachable_prefect_api_is_one_line_at_once(tmp_path: Path, command: list[str]) -> None:
    # `watch` started and printed a traceback for every drop; `ingest` failed after 3-5 s
    # with "RuntimeError: Failed to reach API".
    (tmp_path / "inbox").mkdir()
    api = f"http://127.0.0.1:{_closed_port()}/api"
    args = ["--warehouse", str(tmp_path / "w.duckdb"), *command]
    if command == ["watch"]:
        args.append(str(tmp_path / "inbox"))
    started = time.monotonic()
    proc = newsflow(tmp_path, *args, api_url=api)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    (line,) = proc.stderr.splitlines()
    assert line.startswith(f"Error: cannot reach the Prefect API at {api}"), line
    assert time.monotonic() - started < 30


def _closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_unknown_deployment_names_are_refused_before_prefect(tmp_path: Path) -> None:
    proc = newsflow(tmp_path, "serve", "--only", "feed", "--only", "seeds")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "no deployment named 'feed'" in proc.stderr
    assert "feeds, inbox, maintenance, files, seeds" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not _prefect_started(tmp_path)


@pytest.mark.slow
def test_some_inputs_failed_is_exit_3_and_their_rows_exist(api_url: str, tmp_path: Path) -> None:
    folder, warehouse, missing = tmp_path / "in", tmp_path / "w.duckdb", tmp_path / "gone.txt"
    folder.mkdir()
    shutil.copy(SEEDS / "003_90df82462330a561.txt", folder / "ok.txt")
    (folder / "empty.txt").write_bytes(b"")
    proc = newsflow(
        tmp_path, "--warehouse", str(warehouse), "ingest", "files", str(folder), str(missing),
        api_url=api_url,
    )  # fmt: skip
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "1 new (0 duplicates), 2 errors" in proc.stdout
    assert "Traceback" not in proc.stderr + proc.stdout
    errors = rows(str(warehouse), "SELECT source_uri, stage FROM ingest_errors")
    expected = [(str(folder / "empty.txt"), "read"), (str(missing), "discover")]
    assert sorted(errors) == sorted(expected)


@pytest.mark.slow
def test_a_clean_run_and_its_no_change_rerun_exit_0(api_url: str, tmp_path: Path) -> None:
    warehouse = str(tmp_path / "w.duckdb")
    first = newsflow(tmp_path, "--warehouse", warehouse, "ingest", "seeds", str(SEEDS),
                     api_url=api_url)  # fmt: skip
    assert first.returncode == 0, first.stdout + first.stderr
    assert "5 new (0 duplicates), 0 errors" in first.stdout
    again = newsflow(tmp_path, "--warehouse", warehouse, "ingest", "seeds", str(SEEDS),
                     api_url=api_url)  # fmt: skip
    assert again.returncode == 0, again.stdout + again.stderr
    assert "5 unchanged, 0 read" in again.stdout


@pytest.mark.slow
def test_a_run_on_a_temporary_server_sends_its_last_logs_before_the_server_stops(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The README's first command, without a server: the command stopped its temporary
    server before Prefect had sent the run's last logs, which were lost, and the terminal
    read '--- Error logging to API --- All connection attempts failed' (seen once in a fresh
    clone; every time when the logs wait 30 s to be sent in a batch, as here)."""
    monkeypatch.setenv("PREFECT_LOGGING_TO_API_BATCH_INTERVAL", "30")
    proc = newsflow(tmp_path, "--warehouse", str(tmp_path / "w.duckdb"), "ingest", "seeds",
                    str(SEEDS))  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "temporary" in proc.stderr  # no server was found: the case this is about
    assert "Error logging to API" not in proc.stderr, proc.stderr


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupted_run_exits_130_in_one_line(
    api_url: str, tmp_path: Path, web, signum: int
) -> None:
    """Ctrl-C (or SIGTERM, from systemd, Docker or `timeout`) in the middle of a fetch."""
    web.add("/slow", Reply(body=b"<html></html>", delay=120))
    sources, warehouse = tmp_path / "sources.toml", tmp_path / "w.duckdb"
    sources.write_text('[network]\nallowed_hosts = ["127.0.0.1"]\nper_host_delay = 0\n')
    args = ["--warehouse", str(warehouse), "--sources", str(sources), "ingest", "urls",
            web.url("/slow")]  # fmt: skip
    proc = signalled(
        tmp_path, args, lambda: bool(web.hits("/slow")), signum, stop_within=60, api_url=api_url
    )
    out, err = proc.stdout, proc.stderr
    assert proc.returncode == 130, out + err
    assert "Traceback" not in out + err
    assert err.splitlines()[-1] == "newsflow: interrupted"
    ((status,),) = rows(str(warehouse), "SELECT status FROM runs")
    assert status != "running"  # the run says it ended


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_long_query_stops_on_sigterm_as_on_ctrl_c(tmp_path: Path, signum: int) -> None:
    # SIGTERM's handler never ran while DuckDB held the main thread: `timeout`, systemd and
    # Docker could not stop `newsflow query` (SIGKILL only).
    from warehouse.store import connect

    warehouse = tmp_path / "w.duckdb"
    with connect(str(warehouse)):  # a warehouse, made as a run makes it
        pass
    started = time.monotonic()
    query = "select * from range(100000000000) order by random() limit 1"
    proc = signalled(
        tmp_path, ["--warehouse", str(warehouse), "query", query],
        lambda: time.monotonic() - started >= 2,  # started, and into the query
        signum, stop_within=30,
    )  # fmt: skip
    out, err = proc.stdout, proc.stderr
    assert proc.returncode == 130, out + err
    assert err.splitlines() == ["newsflow: interrupted"]


def test_a_stale_background_server_pid_file_is_not_used(tmp_path: Path) -> None:
    """A server that died leaves its pid file: the command must not try to use it (a
    temporary server is started instead, as without one)."""
    import socket

    from flows.cli import _background_server

    with socket.socket() as s:  # a port nothing listens on (bound, not listening)
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        assert _background_server(tmp_path, "127.0.0.1", port) is None  # no pid file
        (tmp_path / "server.pid").write_text("12345")
        assert _background_server(tmp_path, "127.0.0.1", port) is None  # nothing answers


@pytest.mark.slow
def test_ctrl_c_in_a_terminal_stops_the_workers_quietly(api_url: str, tmp_path: Path) -> None:
    """Ctrl-C in a terminal reaches every process of its group, the extraction workers too:
    still one line and exit 130, no worker's traceback."""
    from tests.test_killed_run import landed, make_articles

    folder, warehouse = tmp_path / "articles", str(tmp_path / "w.duckdb")
    make_articles(folder, 400)
    proc = signalled(
        tmp_path, ["--warehouse", warehouse, "ingest", "files", "--batch-size", "10", str(folder)],
        lambda: landed(warehouse) >= 30, signal.SIGINT,  # what the terminal does
        stop_within=120, api_url=api_url, group=True,
    )  # fmt: skip
    out, err = proc.stdout, proc.stderr
    assert proc.returncode == 130, out + err
    assert "Traceback" not in out + err and "KeyboardInterrupt" not in out + err, err
    assert err.splitlines()[-1] == "newsflow: interrupted"


def test_ctrl_c_while_the_fork_server_warms_up_prints_nothing(tmp_path: Path) -> None:
    # Ctrl-C reaches every process of the terminal's group. The fork server, started with
    # it ignored, leaves the interrupt to the command; started without, it printed a
    # KeyboardInterrupt traceback from its preload (3 of 3 trials 3 s into `ingest files`).
    code = (
        "import os, signal, time\n"
        "from multiprocessing import forkserver\n"
        "from tasks.extract import pool\n"
        "pool._start_forkserver()\n"
        "time.sleep(0.5)\n"  # into its preload: imports and warming the models
        "os.kill(forkserver._forkserver._forkserver_pid, signal.SIGINT)\n"
        "time.sleep(3)\n"
        "print('done')\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=Path(__file__).parent.parent, text=True,
        capture_output=True, timeout=120, env=_env(tmp_path, None),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "done\n"
    assert "Traceback" not in proc.stderr and "KeyboardInterrupt" not in proc.stderr


@pytest.mark.parametrize(
    ("variable", "content", "problem"),
    [
        ("NEWSFLOW_TOPICS", "[topics\nbroken", "not valid TOML"),
        ("NEWSFLOW_TOPICS", None, "cannot read the topics file"),
        ("NEWSFLOW_TOPICS", "[weather]\nx = 1\n", "unknown section"),
        ("NEWSFLOW_ENTITIES", "= nothing", "not valid TOML"),
        ("NEWSFLOW_ENTITIES", None, "cannot read the gazetteer"),
        # A FIFO hung the run; /dev/zero filled memory until the kernel killed it (23 GB).
        ("NEWSFLOW_TOPICS", FIFO, "not a regular file"),
        ("NEWSFLOW_ENTITIES", DEV_ZERO, "not a regular file"),
        ("NEWSFLOW_TOPICS", HUGE, "over 16,000,000 bytes"),
    ],
)
def test_a_bad_rules_file_stops_the_run_before_prefect(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, variable: str, content: str | None,
    problem: str,
) -> None:  # fmt: skip
    # Before: every article of the run became an `extract` error row (topics), or a bare
    # FileNotFoundError / TOMLDecodeError traceback (gazetteer).
    rules = tmp_path / "rules.toml"
    special_file(rules, content)
    monkeypatch.setenv(variable, str(rules))
    warehouse = tmp_path / "w.duckdb"
    proc = newsflow(tmp_path, "--warehouse", str(warehouse), "ingest", "seeds", str(SEEDS))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    (line,) = proc.stderr.splitlines()
    assert line.startswith(f"Error: {variable}: {rules}") and problem in line, line
    assert not _prefect_started(tmp_path)
    assert rows(str(warehouse), "SELECT count(*) FROM runs") == [(0,)]


def test_a_path_whose_name_is_not_utf8_is_a_usage_error(tmp_path: Path) -> None:
    bad = os.fsdecode(bytes(tmp_path) + b"/caf\xe9.txt")
    Path(bad).write_text("A title\n\nSome text of an article.\n", encoding="utf-8")
    proc = newsflow(tmp_path, "--warehouse", str(tmp_path / "w.duckdb"), "ingest", "files", bad)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "not valid UTF-8" in proc.stderr and "caf\\xe9.txt" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not _prefect_started(tmp_path)


def test_an_error_raised_while_an_interrupt_unwinds_is_still_an_interrupt() -> None:
    """Ctrl-C that lands while Prefect creates a task run comes back as a ValueError whose
    context is the KeyboardInterrupt (seen in a full run under load): still exit 130."""
    from flows.signals import interrupted

    try:
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt:
            raise ValueError("Task run is not set") from None
    except ValueError as exc:
        assert not interrupted(exc)  # `from None` hides the context: a real error
    try:
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt:
            raise ValueError("Task run is not set")  # noqa: B904 - what Prefect does
    except ValueError as exc:
        assert interrupted(exc)
    assert not interrupted(ValueError("a plain failure"))


def test_prefect_s_and_duckdb_s_signs_of_a_signal_are_interrupts() -> None:
    # SIGTERM inside a flow run comes back as Prefect's TerminationSignal, or, while a
    # batch is written, as DuckDB's 'Query interrupted': runs were recorded `failed` and one
    # exited 1 (a hostile-input check). Both are an interrupt: `crashed`, exit 130.
    import duckdb
    from prefect.exceptions import TerminationSignal

    from flows.signals import interrupted

    assert interrupted(TerminationSignal(signal.SIGTERM))
    assert interrupted(duckdb.InterruptException("INTERRUPT Error: Interrupted!"))
    assert interrupted(RuntimeError("Query interrupted"))
    assert not interrupted(RuntimeError("Query failed"))


def test_a_setting_that_cannot_be_meant_stops_every_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSFLOW_ENRICH", "maybe")
    proc = newsflow(tmp_path, "--warehouse", str(tmp_path / "w.duckdb"), "ingest", "seeds")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    (line,) = proc.stderr.splitlines()
    assert line == "Error: NEWSFLOW_ENRICH='maybe': say 1 or 0 (true/false, yes/no, on/off)"
    assert not _prefect_started(tmp_path)


def test_a_reader_that_goes_away_ends_the_output_quietly(tmp_path: Path) -> None:
    # `newsflow query ... --format csv | head` printed 'Error: BrokenPipeError: [Errno 32]
    # Broken pipe (-v shows the traceback)' and exited 1; now it ends as SIGPIPE would.
    from warehouse import store

    warehouse = tmp_path / "newsflow.duckdb"
    with store.connect(warehouse):
        pass
    proc = subprocess.Popen(
        [NEWSFLOW, "--warehouse", str(warehouse), "query", "SELECT * FROM range(1000000)",
         "--format", "csv"],
        env=_env(tmp_path, None), cwd=tmp_path, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
    )  # fmt: skip
    assert proc.stdout is not None and proc.stderr is not None
    try:
        assert proc.stdout.readline() == "range\n"
        proc.stdout.close()  # as `head -1` does
        err = proc.stderr.read()
        code = proc.wait(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert err == ""
    assert code == 141


def test_watch_goes_on_past_a_name_that_is_not_utf8_and_stops_at_ctrl_c_after_a_pass(
    api_url: str, tmp_path: Path
) -> None:
    # watchfiles could not decode the name and ended `watch` (exit 1); the watcher's warning
    # then came with Prefect's UserWarning about logs outside a flow run and a source line.
    from tests.test_killed_run import landed

    inbox, warehouse = tmp_path / "inbox", tmp_path / "w.duckdb"
    inbox.mkdir()
    proc = subprocess.Popen(
        [NEWSFLOW, "--warehouse", str(warehouse), "watch", str(inbox)],
        env=_env(tmp_path, api_url), cwd=tmp_path, text=True, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, start_new_session=True,
    )  # fmt: skip
    try:
        time.sleep(5)  # watching
        (Path(os.fsdecode(bytes(inbox) + b"/caf\xe9.txt"))).write_text("Odd name.\n")
        time.sleep(5)
        shutil.copy(SEEDS / "002_44a44f5a35d60aa0.txt", inbox / "after.txt")
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and proc.poll() is None:
            if landed(str(warehouse)) == 1:
                break
            time.sleep(1)
        assert proc.poll() is None, proc.communicate()
        # At once: a Ctrl-C as the pass's flow run finished was swallowed, and watch went on.
        proc.send_signal(signal.SIGINT)
        try:
            _, err = proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            raise AssertionError(proc.communicate()) from None
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 0 and err.splitlines()[-1] == "newsflow: stopped", err
    assert rows(str(warehouse), "SELECT count(*) FROM articles") == [(1,)], err
    assert "UserWarning" not in err and "Traceback" not in err, err


@pytest.mark.parametrize(
    "command", [["query", "select count(*) from articles"], ["ingest", "seeds", str(SEEDS)]]
)
def test_a_damaged_warehouse_is_one_line_at_once(tmp_path: Path, command: list[str]) -> None:
    # Before: `query` waited for ever for a lock no one held ("in block at location" has
    # "lock" in it); `ingest` took it for a busy warehouse, started Prefect and waited there.
    from tests.test_warehouse import damaged

    file = damaged(tmp_path)
    proc = newsflow(tmp_path, "--warehouse", str(file), *command)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    (line,) = proc.stderr.splitlines()
    assert line.startswith(f"Error: cannot open warehouse {file}") and "Corrupt" in line, line
    assert not _prefect_started(tmp_path)
