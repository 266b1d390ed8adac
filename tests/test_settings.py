"""One settings module: every NEWSFLOW_* variable, its default, and a clear error for a
value that cannot be meant."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tasks.errors import ConfigError
from tasks.settings import settings

NAMES = (
    "NEWSFLOW_WAREHOUSE", "NEWSFLOW_SOURCES", "NEWSFLOW_INBOX", "NEWSFLOW_LOCK_TIMEOUT",
    "NEWSFLOW_ENRICH", "NEWSFLOW_TOPICS", "NEWSFLOW_ENTITIES", "NEWSFLOW_WAREHOUSE_LIMIT",
    "NEWSFLOW_LAKE_DATA_PATH", "NEWSFLOW_LAKE_METADATA_SCHEMA", "NEWSFLOW_RAW_STORE",
)  # fmt: skip


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in NAMES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_defaults(env: pytest.MonkeyPatch) -> None:
    s = settings()
    assert (s.warehouse, s.sources, s.inbox) == (
        Path("data/newsflow.duckdb"), Path("sources.toml"), Path("inbox"),
    )  # fmt: skip
    assert (s.lock_timeout, s.enrich, s.topics_file, s.entities_files, s.warehouse_limit) == (
        None, True, None, (), False,
    )  # fmt: skip
    assert (s.lake_data_path, s.lake_metadata_schema, s.raw_store) == (None, None, None)


def test_a_lake_and_its_settings(env: pytest.MonkeyPatch) -> None:
    env.setenv("NEWSFLOW_WAREHOUSE", "ducklake:postgres:postgresql://me@db//lake")
    env.setenv("NEWSFLOW_LAKE_DATA_PATH", " /shared/lake/ ")
    env.setenv("NEWSFLOW_LAKE_METADATA_SCHEMA", "newsflow_catalog")
    env.setenv("NEWSFLOW_RAW_STORE", "/shared/raw")
    s = settings()
    assert s.warehouse == "ducklake:postgres:postgresql://me@db//lake"  # a string, "//" kept
    assert (s.lake_data_path, s.lake_metadata_schema) == ("/shared/lake/", "newsflow_catalog")
    assert s.raw_store == Path("/shared/raw")


def test_values_from_the_environment(env: pytest.MonkeyPatch) -> None:
    env.setenv("NEWSFLOW_WAREHOUSE", "/srv/news.duckdb")
    env.setenv("NEWSFLOW_LOCK_TIMEOUT", "2.5")
    env.setenv("NEWSFLOW_ENRICH", "off")
    env.setenv("NEWSFLOW_WAREHOUSE_LIMIT", "Yes")
    env.setenv("NEWSFLOW_ENTITIES", os.pathsep.join(["a.toml", "", "b.toml"]))
    s = settings()
    assert (s.warehouse, s.lock_timeout, s.enrich, s.warehouse_limit) == (
        Path("/srv/news.duckdb"), 2.5, False, True,
    )  # fmt: skip
    assert s.entities_files == (Path("a.toml"), Path("b.toml"))


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [("NEWSFLOW_ENRICH", "maybe", "say 1 or 0"), ("NEWSFLOW_WAREHOUSE_LIMIT", "2", "say 1 or 0"),
     ("NEWSFLOW_LOCK_TIMEOUT", "soon", "not a number"),
     ("NEWSFLOW_LOCK_TIMEOUT", "-1", "must be a number, 0 or more"),
     ("NEWSFLOW_LOCK_TIMEOUT", "nan", "must be a number, 0 or more"),
     ("NEWSFLOW_LOCK_TIMEOUT", "inf", "must be a number, 0 or more")],
)  # fmt: skip
def test_a_value_that_cannot_be_meant_is_a_config_error(
    env: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    # Before: "maybe" silently meant "on" for NEWSFLOW_ENRICH and "off" for the limit.
    env.setenv(name, value)
    with pytest.raises(ConfigError, match=f"{name}='{value}'.*{message}"):
        settings()


def test_the_config_errors_are_one_family() -> None:
    from tasks.enrich.entities import GazetteerError
    from tasks.enrich.topics import TaxonomyError
    from tasks.sources.registry import RegistryError
    from warehouse.store import WarehouseError

    for error in (GazetteerError, TaxonomyError, RegistryError, WarehouseError):
        assert issubclass(error, ConfigError)
