"""Shared fixtures. Prefect runs against one temporary test server for the whole session."""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
from pathlib import Path

# Before anything imports Prefect: a private home (no cached results leak between sessions)
# and no analytics call racing the temporary server's SQLite at start-up.
_PREFECT_HOME = tempfile.mkdtemp(prefix="newsflow-prefect-")
os.environ["PREFECT_HOME"] = _PREFECT_HOME
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ.pop("PREFECT_API_URL", None)
os.environ.pop("NEWSFLOW_WAREHOUSE", None)
# Ctrl-C as a terminal has it. A suite started as a background job of a non-interactive
# shell (`./.ci/run &`) inherits SIGINT ignored and passes that on to every command it
# starts, where newsflow rightly ignores it too: the tests that press Ctrl-C saw runs go on.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

import pytest  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def prefect_server():
    """A real Prefect API (temporary server) shared by every flow test in the session."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield
    shutil.rmtree(_PREFECT_HOME, ignore_errors=True)


@pytest.fixture
def warehouse(tmp_path: Path) -> str:
    """A fresh DuckDB file for one test."""
    return str(tmp_path / "wh" / "newsflow.duckdb")


@pytest.fixture
def seeds_copy(tmp_path: Path) -> Path:
    """The five seed files in a folder the test may change."""
    target = tmp_path / "seeds"
    shutil.copytree(SEEDS, target)
    return target


def rows(warehouse: str, sql: str, params: list | None = None) -> list[tuple]:
    import duckdb

    with duckdb.connect(warehouse, read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


@pytest.fixture
def web():
    """A real HTTP server on 127.0.0.1 (see tests/webserver.py)."""
    from tests.webserver import LocalServer

    with LocalServer() as server:
        yield server
