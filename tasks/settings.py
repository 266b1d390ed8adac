"""Every setting newsflow reads from the environment, with its default, in one place
(docs/configuration.md is the same table for users). Command-line options win over these;
they are read when asked for, so a test or a long-running server sees the current values."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path

from tasks.errors import ConfigError

DEFAULT_WAREHOUSE = Path("data") / "newsflow.duckdb"
DEFAULT_SOURCES = Path("sources.toml")
DEFAULT_INBOX = Path("inbox")


@dataclass(frozen=True, slots=True)
class Settings:
    warehouse: Path | str  # NEWSFLOW_WAREHOUSE: the DuckDB file, or a lake's name (a string)
    sources: Path  # NEWSFLOW_SOURCES: feeds and sites to poll
    inbox: Path  # NEWSFLOW_INBOX: the folder drops are taken from
    lock_timeout: float | None  # NEWSFLOW_LOCK_TIMEOUT: seconds to wait for the lock (None: ∞)
    enrich: bool  # NEWSFLOW_ENRICH: topics, entities and claims as articles land
    topics_file: Path | None  # NEWSFLOW_TOPICS: the user's topic rules, added to the shipped
    entities_files: tuple[Path, ...]  # NEWSFLOW_ENTITIES: extra gazetteer files, ':'-separated
    warehouse_limit: bool  # NEWSFLOW_WAREHOUSE_LIMIT: a Prefect concurrency slot per landing
    lake_data_path: str | None  # NEWSFLOW_LAKE_DATA_PATH: a DuckLake's Parquet folder or bucket
    lake_metadata_schema: str | None  # NEWSFLOW_LAKE_METADATA_SCHEMA: its catalog's schema
    raw_store: Path | str | None  # NEWSFLOW_RAW_STORE: a lake's fetched pages (s3:// a string)
    shared_politeness: bool  # NEWSFLOW_SHARED_POLITENESS: a lake's workers share host limits
    s3_endpoint: str | None  # AWS_ENDPOINT_URL_S3, else AWS_ENDPOINT_URL: an S3-compatible server
    s3_region: str | None  # AWS_REGION, else AWS_DEFAULT_REGION


@dataclass(frozen=True, slots=True)
class S3Keys:
    """The S3 credentials of the environment. Not part of Settings, and never in a repr: they
    go from the environment into a DuckDB secret (warehouse/lake.py) and nowhere else."""

    key_id: str = field(repr=False)  # AWS_ACCESS_KEY_ID
    secret: str = field(repr=False)  # AWS_SECRET_ACCESS_KEY
    session_token: str = field(repr=False)  # AWS_SESSION_TOKEN ("" if none)


def settings() -> Settings:
    """The settings as the environment gives them now; a value that cannot be meant raises
    ConfigError naming the variable."""
    env = os.environ
    return Settings(
        warehouse=_warehouse(env.get("NEWSFLOW_WAREHOUSE", "")),
        sources=Path(env.get("NEWSFLOW_SOURCES") or DEFAULT_SOURCES),
        inbox=Path(env.get("NEWSFLOW_INBOX") or DEFAULT_INBOX),
        lock_timeout=_seconds("NEWSFLOW_LOCK_TIMEOUT"),
        enrich=_flag("NEWSFLOW_ENRICH", True),
        topics_file=Path(env["NEWSFLOW_TOPICS"]) if env.get("NEWSFLOW_TOPICS") else None,
        entities_files=tuple(
            Path(p) for p in env.get("NEWSFLOW_ENTITIES", "").split(os.pathsep) if p.strip()
        ),
        warehouse_limit=_flag("NEWSFLOW_WAREHOUSE_LIMIT", False),
        lake_data_path=env.get("NEWSFLOW_LAKE_DATA_PATH", "").strip() or None,
        lake_metadata_schema=env.get("NEWSFLOW_LAKE_METADATA_SCHEMA", "").strip() or None,
        raw_store=_raw_store(env.get("NEWSFLOW_RAW_STORE", "").strip()),
        shared_politeness=_flag("NEWSFLOW_SHARED_POLITENESS", True),
        s3_endpoint=_endpoint(),
        s3_region=(env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "").strip() or None,
    )


def s3_keys() -> S3Keys | None:
    """The S3 key pair of the environment, None when neither half is set; one half alone is a
    ConfigError."""
    env = os.environ
    key_id = env.get("AWS_ACCESS_KEY_ID", "").strip()
    secret = env.get("AWS_SECRET_ACCESS_KEY", "").strip()
    if not key_id and not secret:
        return None
    if not key_id or not secret:
        missing = "AWS_SECRET_ACCESS_KEY" if key_id else "AWS_ACCESS_KEY_ID"
        raise ConfigError(f"{missing} is not set: an S3 key needs both AWS_ACCESS_KEY_ID and "
                          "AWS_SECRET_ACCESS_KEY")  # fmt: skip
    return S3Keys(key_id, secret, env.get("AWS_SESSION_TOKEN", "").strip())


def _raw_store(value: str) -> Path | str | None:
    """A bucket (s3://bucket/prefix/) stays a string, as a lake's name does; else a folder."""
    if not value:
        return None
    return value if "://" in value else Path(value)


def _endpoint() -> str | None:
    """The S3 endpoint, the S3-specific variable first as the AWS tools take it. Checked
    where a bucket is used (warehouse/lake.py), not here: these are other tools' variables
    too, and a file warehouse has no business refusing them."""
    for name in ("AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"):
        value = os.environ.get(name, "").strip()
        if value:
            return value.rstrip("/")
    return None


def _warehouse(value: str) -> Path | str:
    """A DuckLake's name (ducklake:postgres:...) stays a string: as a Path, a libpq URL's
    "//" would be folded into one "/"."""
    if value.startswith("ducklake:"):
        return value
    return Path(value) if value else DEFAULT_WAREHOUSE


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name}={value!r}: say 1 or 0 (true/false, yes/no, on/off)")


def _seconds(name: str) -> float | None:
    value = os.environ.get(name, "").strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        raise ConfigError(f"{name}={value!r} is not a number of seconds") from None
    if not math.isfinite(seconds) or seconds < 0:  # nan waited forever; inf is left unset
        raise ConfigError(f"{name}={value!r}: seconds must be a number, 0 or more")
    return seconds


# A sources, topics or gazetteer file larger than this is no configuration (the shipped
# gazetteer is 60 KB; a sources file of 10,000 feeds from an OPML import, ~1 MB).
MAX_CONFIG_BYTES = 16_000_000


def read_config(path: str | os.PathLike[str]) -> str:
    """A user's configuration file as text: a regular file (a FIFO would block the reader,
    /dev/zero fill memory) of at most MAX_CONFIG_BYTES, UTF-8. Raises ConfigError naming it;
    a file that is not there raises FileNotFoundError."""
    import stat

    found = os.stat(path)
    if not stat.S_ISREG(found.st_mode):
        raise ConfigError(f"{path}: not a regular file")
    with open(path, "rb") as fh:
        data = fh.read(MAX_CONFIG_BYTES + 1)
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigError(f"{path}: over {MAX_CONFIG_BYTES:,} bytes, not a configuration file")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc


def read_toml(
    path: str | os.PathLike[str], what: str, error: type[ConfigError] = ConfigError
) -> dict:
    """A user's TOML configuration file (read_config), parsed; `error` (a ConfigError) names
    the file and what is wrong: not readable as `what`, not valid TOML, no file to read."""
    import tomllib

    try:
        return tomllib.loads(read_config(path))
    except ConfigError as exc:
        raise error(str(exc)) from exc
    except OSError as exc:
        raise error(f"{path}: cannot read the {what}: {exc.strerror}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{path}: not valid TOML: {exc}") from exc
