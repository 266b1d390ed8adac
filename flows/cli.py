"""The `newsflow` command: run ingest flows and query the warehouse.

Exit codes, for scripts and cron: 0 every input landed or was unchanged; 3 the run completed
but some inputs failed (their ingest_errors rows say why); 1 the command could not run (bad
configuration, an unusable warehouse or sources file: one line on stderr); 2 a usage error;
130 interrupted (Ctrl-C, or SIGTERM, which stops newsflow the same way). `serve` and `watch`
exit 0 when stopped by either.
"""

from __future__ import annotations

import csv
import itertools
import json
import logging
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from tasks.errors import first_line

if TYPE_CHECKING:
    from tasks.sources.registry import Registry

# Before Prefect is imported: its temporary server's analytics call can lock SQLite at start.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
# Prefect gives its temporary server 20 s to answer; on a busy 2-core machine it took 21-33 s
# and the README's first command died (issue 10). A user's own setting wins.
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
# The inbox watcher and the warehouse log outside any flow run (a lock waited for, a pass that
# failed): Prefect's API handler then printed a UserWarning with a source line beside each
# line. They go to the terminal and, inside a run, to its logs in the UI, as before.
os.environ.setdefault("PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW", "ignore")

EXIT_INPUTS_FAILED = 3  # (1, could not run, is click.ClickException's; 2, usage, click's)
EXIT_INTERRUPTED = 130  # 128 + SIGINT, what shells report for Ctrl-C
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what shells report for a reader gone (`| head`)
# Before Prefect starts, the warehouse is opened to find an unusable one in a second. If
# another process holds it (a run landing, an analyst's session), it is usable: the run
# itself then waits its turn, as long as the store allows.
PREFLIGHT_LOCK_WAIT_S = 1.0
# Measured by bench/first_run.py on 2 cores: 10-20 s idle, about a minute saturated.
TEMPORARY_SERVER_NOTE = (
    "newsflow: starting a temporary Prefect server for this run (10-30 s, more on a busy "
    "machine); run `prefect server start --background --analytics-off` once to skip this on "
    "every run"
)
# `prefect server start --background` writes its process id here, in PREFECT_HOME.
BACKGROUND_SERVER_PID_FILE = "server.pid"


class _Newsflow(click.Group):
    """No traceback reaches a user: an unexpected error is one line (-v shows the
    traceback), and Ctrl-C one line and exit 130, instead of click's "Aborted!" and 1."""

    def main(self, args: list[str] | None = None, **kwargs: object) -> object:
        if args is not None or kwargs.get("standalone_mode") is False:
            return super().main(args, **kwargs)  # called from Python (tests): a normal return
        try:  # the `newsflow` command itself: click ends it with SystemExit
            return super().main(args, **kwargs)
        except SystemExit as end:
            _exit_without_teardown(end)

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            click.echo("newsflow: interrupted", err=True)
            ctx.exit(EXIT_INTERRUPTED)
        except BrokenPipeError:
            # The reader went away (`newsflow query ... --format csv | head`): nothing more to
            # say, as for any program SIGPIPE ends; it was 'Error: BrokenPipeError' and 1.
            ctx.exit(EXIT_BROKEN_PIPE)
        except (click.ClickException, click.exceptions.Exit, click.Abort, SystemExit):
            raise
        except BaseException as exc:  # Prefect's TerminationSignal is no Exception
            from flows.signals import interrupted

            if interrupted(exc):
                click.echo("newsflow: interrupted", err=True)
                ctx.exit(EXIT_INTERRUPTED)
            if (ctx.obj or {}).get("verbose") or not isinstance(exc, Exception):
                raise
            raise click.ClickException(f"{one_line(exc)} (-v shows the traceback)") from exc


def one_line(exc: BaseException) -> str:
    """An exception as one line: its type and the first line of its message."""
    return f"{type(exc).__name__}: {first_line(exc)}"


def _exit_without_teardown(end: SystemExit) -> None:
    """Exit as Python would, minus tearing down the ~135,000 objects Prefect's imports
    leave: that teardown was 0.6 s of a 4 s no-change re-run (bench/first_run.py)."""
    import atexit
    import threading

    code = 0 if end.code is None else end.code
    others = [t for t in threading.enumerate() if t is not threading.main_thread()]
    if not isinstance(code, int) or any(not t.daemon for t in others):
        raise end  # a thread to wait for (Python joins them): the usual way out
    # What Python runs at exit, in its order: threading's exit calls first, where Prefect
    # sends its last logs and events, then atexit's, where it stops a temporary server. With
    # atexit's alone the server stopped first: the run's last logs were lost, and the
    # terminal read '--- Error logging to API --- All connection attempts failed'.
    threading._shutdown()  # type: ignore[attr-defined]
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with suppress(OSError, ValueError):  # a closed pipe (`| head`): nothing more to say
            stream.flush()
    os._exit(code)


@click.group(cls=_Newsflow)
@click.option(
    "--warehouse",
    envvar="NEWSFLOW_WAREHOUSE",
    type=click.Path(dir_okay=False),
    default=None,
    help="DuckDB file [env NEWSFLOW_WAREHOUSE; default data/newsflow.duckdb].",
)
@click.option(
    "--sources",
    envvar="NEWSFLOW_SOURCES",
    type=click.Path(dir_okay=False),
    default=None,
    help="Feeds and sites to poll (TOML) [env NEWSFLOW_SOURCES; default sources.toml].",
)
@click.option("-v", "--verbose", is_flag=True, help="Show Prefect's run logs on the terminal.")
@click.pass_context
def main(ctx: click.Context, warehouse: str | None, sources: str | None, verbose: bool) -> None:
    """newsflow: news articles in, clean deduplicated tables out (DuckDB).

    Exit status: 0 all landed or unchanged, 3 some inputs failed (see ingest_errors),
    1 could not run, 2 usage error, 130 interrupted (Ctrl-C or SIGTERM).
    """
    from flows import signals

    signals.install()
    _tolerate_narrow_output()
    from tasks.errors import ConfigError
    from tasks.settings import settings

    try:
        settings()  # a setting that cannot be meant stops every command, in one line
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc
    ctx.obj = {"warehouse": warehouse, "sources": sources, "verbose": verbose}
    if sys.stderr.isatty() and not verbose:
        # Log lines would tear the progress bar; they still reach the Prefect UI.
        os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "WARNING")


def _tolerate_narrow_output() -> None:
    """On a terminal or pipe that is not UTF-8 (a Latin-1 locale, PYTHONIOENCODING=ascii) a
    character it cannot hold is written as an escape (\\u5317) rather than ending the command:
    one Chinese title made `newsflow query` print 'Error: UnicodeEncodeError' and exit 1,
    its output lost."""
    for stream in (sys.stdout, sys.stderr):
        if not _utf8(stream) and hasattr(stream, "reconfigure"):
            with suppress(ValueError, OSError):
                stream.reconfigure(errors="backslashreplace")


def _utf8(stream: object) -> bool:
    return (getattr(stream, "encoding", None) or "").lower().replace("-", "") in ("utf8", "utf_8")


@main.group()
def ingest() -> None:
    """Run an ingest flow (one Prefect flow run)."""


@ingest.command("seeds")
@click.argument("directory", required=False, type=click.Path(exists=True, file_okay=False))
@click.pass_context
def ingest_seeds_cmd(ctx: click.Context, directory: str | None) -> None:
    """The seed articles in DIRECTORY (default: seeds/)."""
    _open_warehouse(ctx)

    def run() -> object:
        from flows.ingest import ingest_seeds

        return ingest_seeds(directory=directory, warehouse=ctx.obj["warehouse"])

    # Five articles are extracted in-process: no workers to warm up.
    _run_flow(ctx, run, workers=False)


@ingest.command("files")
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    help="Most items per task run (default 500; the first batches are smaller).",
)
@click.pass_context
def ingest_files_cmd(ctx: click.Context, paths: tuple[str, ...], batch_size: int | None) -> None:
    """Files or directories (recursive) of .html/.htm/.txt/.md, optionally .gz."""
    _check_paths(paths)
    _open_warehouse(ctx)

    def run() -> object:
        from flows.ingest import ingest_files
        from flows.runs import BATCH_SIZE

        return ingest_files(
            paths=list(paths), warehouse=ctx.obj["warehouse"], batch_size=batch_size or BATCH_SIZE
        )

    _run_flow(ctx, run)


@ingest.command("inbox")
@click.argument("directory", required=False, type=click.Path(file_okay=False))
@click.pass_context
def ingest_inbox_cmd(ctx: click.Context, directory: str | None) -> None:
    """One pass over the inbox (DIRECTORY, else $NEWSFLOW_INBOX, else ./inbox)."""
    _check_inbox(directory)
    _check_sources_for_drops(ctx)
    _open_warehouse(ctx)

    def run() -> object:
        from flows.inbox import ingest_inbox

        return ingest_inbox(
            inbox=directory, warehouse=ctx.obj["warehouse"], sources=ctx.obj["sources"]
        )

    _run_flow(ctx, run)


@ingest.command("feeds")
@click.option("--force", is_flag=True, help="Poll every feed now, even those not yet due.")
@click.pass_context
def ingest_feeds_cmd(ctx: click.Context, force: bool) -> None:
    """All configured feeds that are due (see `newsflow sources list`)."""
    if _nothing_configured(_load_sources(ctx), "feed"):
        return
    _open_warehouse(ctx)

    def run() -> object:
        from flows.web import ingest_feeds

        return ingest_feeds(sources=ctx.obj["sources"], warehouse=ctx.obj["warehouse"], force=force)

    _run_flow(ctx, run)


@ingest.command("feed")
@click.argument("urls", nargs=-1, required=True)
@click.pass_context
def ingest_feed_cmd(ctx: click.Context, urls: tuple[str, ...]) -> None:
    """The feeds at URLS, now (configured or not)."""
    _check_urls(urls)
    _load_sources(ctx)
    _open_warehouse(ctx)

    def run() -> object:
        from flows.web import ingest_feeds

        return ingest_feeds(
            urls=list(urls), sources=ctx.obj["sources"], warehouse=ctx.obj["warehouse"]
        )

    _run_flow(ctx, run)


@ingest.command("urls")
@click.argument("urls", nargs=-1, required=True)
@click.pass_context
def ingest_urls_cmd(ctx: click.Context, urls: tuple[str, ...]) -> None:
    """Article pages at URLS."""
    _check_urls(urls)
    _load_sources(ctx)
    _open_warehouse(ctx)

    def run() -> object:
        from flows.web import ingest_urls

        return ingest_urls(
            urls=list(urls), sources=ctx.obj["sources"], warehouse=ctx.obj["warehouse"]
        )

    _run_flow(ctx, run)


@ingest.command("sitemap")
@click.argument("url", required=False)
@click.option("--max-items", type=int, default=None, help="Newest pages to take per site.")
@click.pass_context
def ingest_sitemap_cmd(ctx: click.Context, url: str | None, max_items: int | None) -> None:
    """A site's newest pages from its (news) sitemap; URL is a site or a sitemap.
    Without URL: every [[sites]] entry of the sources file."""
    if url is not None:
        _check_urls((url,), "URL")
    registry = _load_sources(ctx)
    if url is None and _nothing_configured(registry, "site"):
        return
    _open_warehouse(ctx)

    def run() -> object:
        from flows.web import ingest_sitemap

        return ingest_sitemap(
            url=url, max_items=max_items, sources=ctx.obj["sources"],
            warehouse=ctx.obj["warehouse"],
        )  # fmt: skip

    _run_flow(ctx, run)


@main.command("watch")
@click.argument("directory", required=False, type=click.Path(file_okay=False))
@click.option("--settle", default=1.0, show_default=True, help="Seconds a file must be still.")
@click.pass_context
def watch_cmd(ctx: click.Context, directory: str | None, settle: float) -> None:
    """Land files dropped into the inbox as they arrive (Ctrl-C or SIGTERM stops)."""
    _check_inbox(directory)
    _check_sources_for_drops(ctx)
    _open_warehouse(ctx)
    with _prefect(ctx), _stopped_by_ctrl_c():
        _watch(ctx, directory, settle)


def _watch(ctx: click.Context, directory: str | None, settle: float) -> None:
    from flows.inbox import inbox_dir
    from flows.runs import RunSummary
    from flows.watch import watch_inbox

    def report(s: RunSummary) -> None:
        if s.items_read or s.errors:
            click.echo(
                f"{s.items_read} read, {s.new_articles} new ({s.duplicates} duplicates), "
                f"{s.errors} errors (flow run {s.run_id})"
            )

    click.echo(f"watching {inbox_dir(directory).resolve()} (Ctrl-C or SIGTERM stops)")
    watch_inbox(
        inbox=directory, warehouse=ctx.obj["warehouse"], sources=ctx.obj["sources"],
        settle_seconds=settle, on_run=report,
    )  # fmt: skip


@main.command("serve")
@click.option(
    "--file", "deployments", type=click.Path(dir_okay=False), default=None,
    help="Deployments to serve [default: deployments/prefect.yaml].",
)  # fmt: skip
@click.option("--inbox", type=click.Path(file_okay=False), default=None, help="Inbox folder.")
@click.option("--no-watch", is_flag=True, help="Do not land inbox files as they arrive.")
@click.option("--only", multiple=True, help="Serve only this deployment (repeatable).")
@click.pass_context
def serve_cmd(
    ctx: click.Context, deployments: str | None, inbox: str | None, no_watch: bool,
    only: tuple[str, ...],
) -> None:  # fmt: skip
    """Run the scheduled flows (feeds, inbox, maintenance) from this process; Ctrl-C or
    SIGTERM stops and pauses their schedules.

    Point PREFECT_API_URL at a running `prefect server start` to see them in the UI.
    """
    # A run started from the UI begins within ~2 s instead of the default 10 s poll.
    os.environ.setdefault("PREFECT_RUNNER_POLL_FREQUENCY", "2")
    from flows.serve import (
        DeploymentFileError,
        UnknownDeploymentError,
        load_specs,
        select_specs,
        watcher_options,
    )

    overrides = {"warehouse": ctx.obj["warehouse"], "sources": ctx.obj["sources"], "inbox": inbox}
    try:  # before Prefect starts: a misspelt --only served nothing, silently
        specs = select_specs(load_specs(deployments), list(only) or None)
        watching = None if no_watch else watcher_options(specs, overrides)
    except UnknownDeploymentError as exc:
        raise click.BadParameter(str(exc), param_hint="'--only'") from exc
    except DeploymentFileError as exc:
        raise click.ClickException(str(exc)) from exc
    _load_sources(ctx)
    if watching is not None:
        _check_inbox(watching.get("inbox"))
    _open_warehouse(ctx)
    from flows.serve import serve_all

    with _prefect(ctx), _stopped_by_ctrl_c():
        serve_all(deployments, overrides, watch=not no_watch, only=list(only) or None)


@main.command("enrich")
@click.option("--all", "all_articles", is_flag=True, help="Every article, not only new ones.")
@click.pass_context
def enrich_cmd(ctx: click.Context, all_articles: bool) -> None:
    """Compute topics, entities, claims and language for stored articles: those never
    enriched, or --all (after editing the topic rules or the gazetteer)."""
    _open_warehouse(ctx, existing=True)

    def run() -> object:
        from flows.enrichment import enrich_articles

        return enrich_articles(warehouse=ctx.obj["warehouse"], all_articles=all_articles)

    _run_flow(ctx, run)


@main.command("export")
@click.option(
    "--out", "out_dir", type=click.Path(file_okay=False), default=None,
    help="Folder to write [default: export/ next to the warehouse].",
)  # fmt: skip
@click.option("--full", is_flag=True, help="Rewrite every table instead of adding what is new.")
@click.pass_context
def export_cmd(ctx: click.Context, out_dir: str | None, full: bool) -> None:
    """Export the tables as Parquet, partitioned by date (Hive style), incrementally."""
    import duckdb

    from warehouse.export import export_warehouse
    from warehouse.store import WarehouseError

    _open_warehouse(ctx, existing=True)
    try:
        summary = export_warehouse(ctx.obj["warehouse"], out_dir, full=full)
    except (WarehouseError, duckdb.Error, OSError) as exc:
        raise click.ClickException(str(exc)) from exc
    rows = [
        {"table": t.table, "mode": t.mode, "rows": t.rows, "files": t.files,
         "total": t.total_rows, "note": t.reason or ""}
        for t in summary.tables
    ]  # fmt: skip
    _print_table(["table", "mode", "rows", "files", "total", "note"], rows)
    click.echo(f"{summary.rows} rows in {summary.files} files -> {summary.out_dir}")


@main.command("maintain")
@click.option("--full-export", is_flag=True, help="Rewrite the Parquet copy from scratch.")
@click.pass_context
def maintain_cmd(ctx: click.Context, full_export: bool) -> None:
    """The daily maintenance flow now: Parquet export and a warehouse checkpoint (a lake:
    compaction and snapshot expiry)."""
    from warehouse.store import LakeUpkeep, WarehouseError

    _open_warehouse(ctx, existing=True)
    with _prefect(ctx):
        from flows.maintenance import maintenance

        try:
            summary = maintenance(warehouse=ctx.obj["warehouse"], full_export=full_export)
        except WarehouseError as exc:
            raise click.ClickException(str(exc)) from exc
    if isinstance(summary, LakeUpkeep):
        click.echo(
            f"maintenance: {summary.files_before} -> {summary.files_after} Parquet files, "
            f"{summary.snapshots_before} -> {summary.snapshots_after} snapshots, "
            f"{summary.deleted_files} files deleted"
        )
        return
    click.echo(f"maintenance: {summary.rows} rows in {summary.files} files -> {summary.out_dir}")


@main.command("reprocess")
@click.pass_context
def reprocess_cmd(ctx: click.Context) -> None:
    """Re-extract every fetched article from the raw store (no network)."""
    _open_warehouse(ctx, existing=True)

    def run() -> object:
        from flows.reprocess import reprocess

        return reprocess(warehouse=ctx.obj["warehouse"])

    _run_flow(ctx, run)


@main.group()
def sources() -> None:
    """The feeds and sites to poll, and their health."""


@sources.command("list")
@click.pass_context
def sources_list_cmd(ctx: click.Context) -> None:
    """Each configured source with its health (from the last polls)."""
    from tasks.sources.registry import RegistryError, load_registry
    from warehouse import sql
    from warehouse.store import NoWarehouse, WarehouseError, query

    try:
        registry = load_registry(ctx.obj["sources"])
    except RegistryError as exc:
        raise click.ClickException(str(exc)) from exc
    try:
        rows = query(sql.load("queries/sources.sql"), ctx.obj["warehouse"]).to_pylist()
    except NoWarehouse:
        rows = []  # nothing polled yet: every configured source is new
    except WarehouseError as exc:  # a file that is no warehouse lists nothing as new
        raise click.ClickException(str(exc)) from exc
    polled = {r["url"] for r in rows}
    for s in registry.sources:
        if s.url not in polled:
            rows.append({"kind": s.kind, "source": s.name or s.url, "url": s.url, "health": "new"})
    if not rows:
        click.echo(
            f"no sources: add feeds to {registry.path} or run `newsflow sources import-opml`"
        )
        return
    columns = ["kind", "source", "health", "last_status", "last_polled", "last_success",
               "failures", "next_poll", "articles_landed", "last_error"]  # fmt: skip
    _print_table(columns, [{c: r.get(c) for c in columns} for r in rows], 50)


@sources.command("import-opml")
@click.argument("opml_file", type=click.Path(exists=True, dir_okay=False))
@click.pass_context
def sources_import_cmd(ctx: click.Context, opml_file: str) -> None:
    """Add the feeds of an OPML export (from any feed reader) to the sources file."""
    from pathlib import Path

    from tasks.sources.registry import (
        RegistryError,
        append_feeds,
        feed_url_ok,
        parse_opml,
        sources_path,
    )

    try:
        feeds = parse_opml(Path(opml_file).read_bytes())
        added = append_feeds(ctx.obj["sources"], feeds)
    except RegistryError as exc:
        raise click.ClickException(str(exc)) from exc
    target = sources_path(ctx.obj["sources"])
    # The feeds append_feeds leaves out for their URL, by the same test.
    refused = sum(not feed_url_ok(url) for _, url in feeds)
    left_out = (
        f", {refused} left out (not http(s) URLs, or with a user name or password)"
        if refused
        else ""
    )
    click.echo(f"{len(feeds)} feeds in {opml_file}: {added} added to {target}, "
               f"{len(feeds) - added - refused} already there{left_out}")  # fmt: skip


DAY = click.DateTime(formats=["%Y-%m-%d"])


@main.command("stories")
@click.option("--since", type=DAY, default="1970-01-01", help="Only stories seen since YYYY-MM-DD.")
@click.option("--min-articles", type=click.IntRange(min=1), default=2, show_default=True,
              help="Smallest story to show.")  # fmt: skip
@click.pass_context
def stories_cmd(ctx: click.Context, since: datetime, min_articles: int) -> None:
    """Stories told by several articles, newest first (SQL: warehouse/queries/stories.sql)."""
    since_day = f"{since:%Y-%m-%d}"
    rows = _named_query(ctx, "stories", {"since": since_day, "min_articles": min_articles})
    for r in rows:
        click.echo(
            f"{r['story_id']}  {r['label']}\n    {r['articles']} articles from {r['sources']} "
            f"sources, {r['first_seen']} .. {r['last_seen']}"
        )
        for title in r["titles"]:
            click.echo(f"      - {title}")
    if not rows:
        click.echo(f"no stories with {min_articles}+ articles since {since_day}")


@main.command("duplicates")
@click.pass_context
def duplicates_cmd(ctx: click.Context) -> None:
    """Duplicate groups: originals and their copies (SQL: warehouse/queries/duplicates.sql)."""
    rows = _named_query(ctx, "duplicates", {})
    columns = ["original_title", "original_source", "copy_source", "method", "similarity",
               "containment"]  # fmt: skip
    _print_table(columns, rows, 60)


@main.command("topics")
@click.option("--since", type=DAY, default="1970-01-01", help="Only articles since (YYYY-MM-DD).")
@click.option("--with-copies", is_flag=True, help="Count duplicates too, not only originals.")
@click.pass_context
def topics_cmd(ctx: click.Context, since: datetime, with_copies: bool) -> None:
    """Articles per day and topic (SQL: warehouse/queries/topics.sql)."""
    params = {"since": f"{since:%Y-%m-%d}", "with_copies": with_copies}
    rows = _named_query(ctx, "topics", params)
    _print_table(["day", "topic", "articles", "main"], rows)


@main.command("entities")
@click.option(
    "--type", "entity_type", type=click.Choice(["person", "organisation", "place"]),
    help="Only this kind of entity.",
)  # fmt: skip
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True)
@click.option("--with-copies", is_flag=True, help="Count duplicates too, not only originals.")
@click.pass_context
def entities_cmd(
    ctx: click.Context, entity_type: str | None, limit: int, with_copies: bool
) -> None:
    """The most-mentioned people, organisations and places (SQL: warehouse/queries/entities.sql)."""
    params = {"entity_type": entity_type, "limit": limit, "with_copies": with_copies}
    rows = _named_query(ctx, "entities", params)
    _print_table(["entity", "type", "country", "mentions", "articles", "sources"], rows)


@main.command("claims")
@click.option("--unit", default="troops", show_default=True, help="What the numbers count.")
@click.option("--about", default=None, help="Only articles naming this entity.")
@click.option("--with-copies", is_flag=True, help="Count duplicates too, not only originals.")
@click.pass_context
def claims_cmd(ctx: click.Context, unit: str, about: str | None, with_copies: bool) -> None:
    """A timeline of numeric claims (SQL: warehouse/queries/claims.sql); a claim repeated
    by copies of an article shows once unless --with-copies."""
    rows = _named_query(ctx, "claims", {"unit": unit, "about": about, "with_copies": with_copies})
    columns = ["published", "source", "qualifier", "value", "horizon", "quantity"]
    _print_table(columns, rows, 60)


def _named_query(ctx: click.Context, name: str, params: dict) -> list[dict]:
    import duckdb

    from warehouse.store import WarehouseError, named_query

    try:
        return named_query(name, params, ctx.obj["warehouse"])
    except (WarehouseError, duckdb.Error) as exc:
        raise click.ClickException(str(exc)) from exc


@main.command("query")
@click.argument("sql")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table",
    show_default=True, help="table for people, csv or json (one object per line) for tools.",
)  # fmt: skip
@click.option("--max-width", default=80, show_default=True, help="Cut table cells this wide.")
@click.pass_context
def query_cmd(ctx: click.Context, sql: str, fmt: str, max_width: int) -> None:
    """Run read-only SQL on the warehouse."""
    import duckdb

    from warehouse.store import WarehouseError, query, query_batches

    try:
        if fmt == "table":  # its widths need every row
            table = query(sql, ctx.obj["warehouse"])
            names = _unique(table.column_names)
            _print_table(names, table.rename_columns(names).to_pylist(), max_width)
            return
        # CSV and JSON a batch at a time: the whole result is never held (a CSV of 60,000
        # articles held 528 MB).
        batches = query_batches(sql, ctx.obj["warehouse"])
        first = next(batches)
        names = _unique(first.schema.names)
        # \u escapes where the output is not UTF-8: still JSON, and nothing lost.
        ascii_only = not _utf8(sys.stdout)
        writer = csv.writer(sys.stdout, lineterminator="\n")
        if fmt == "csv":
            writer.writerow(names)
        for batch in itertools.chain([first], batches):
            for row in batch.rename_columns(names).to_pylist():
                if fmt == "json":
                    line = json.dumps(row, default=_json_default, ensure_ascii=ascii_only)
                    click.echo(line)
                else:
                    writer.writerow([_csv_cell(row[c]) for c in names])
    except (WarehouseError, duckdb.Error) as exc:
        raise click.ClickException(str(exc)) from exc


def _unique(names: list[str]) -> list[str]:
    """Column names made distinct ("entity", "entity_2"), so no column hides another."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name}_{seen[name]}")
    return out


def _print_table(columns: list[str], rows: list[dict], max_width: int = 80) -> None:
    """format_table() on standard output; on one that is not UTF-8, with what it cannot hold
    escaped before the widths are measured (click wrote UTF-8 to an ASCII output, and a
    Latin-1 one's escapes pushed the columns out of line)."""
    if _utf8(sys.stdout):
        click.echo(format_table(columns, rows, max_width))
    else:
        encoding = getattr(sys.stdout, "encoding", None) or "ascii"
        sys.stdout.write(format_table(columns, rows, max_width, encoding) + "\n")


def format_table(
    columns: list[str], rows: list[dict], max_width: int = 80, encoding: str | None = None
) -> str:
    """A plain aligned text table; long cells are cut with an ellipsis. With `encoding` (an
    output that is not UTF-8), characters it cannot hold are written as escapes (\\u5317).

    Widths are terminal columns, not characters: a Chinese, Japanese or Korean character
    takes two, a Thai or Hindi vowel sign none. Counted in characters, a CJK title pushed
    every column after it out of line and a cut at 80 characters was 160 columns wide."""
    from rich.cells import cell_len, set_cell_size

    def held(text: str) -> str:
        if encoding is None:
            return text
        return text.encode(encoding, "backslashreplace").decode(encoding)

    ellipsis = "…" if held("…") == "…" else "..."

    def cell(value: object) -> str:
        text = held("NULL" if value is None else str(value).replace("\n", " "))
        if cell_len(text) <= max_width:
            return text
        return set_cell_size(text, max_width - len(ellipsis)).rstrip() + ellipsis

    body = [[cell(row[c]) for c in columns] for row in rows]
    columns = [held(c) for c in columns]
    widths = [max([cell_len(c)] + [cell_len(r[i]) for r in body]) for i, c in enumerate(columns)]
    pad = lambda v, w: v + " " * (w - cell_len(v))  # noqa: E731
    line = lambda values: " | ".join(pad(v, w) for v, w in zip(values, widths, strict=True))  # noqa: E731
    out = [line(columns), "-+-".join("-" * w for w in widths), *map(line, body)]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(s.rstrip() for s in out)


def _csv_cell(value: object) -> object:
    """A list or struct as JSON and bytes as hex, as --format json writes them: Python's
    repr (`['Elena Kuss']`, `b'...'`) is no format another tool reads."""
    if isinstance(value, (list, dict)):
        return json.dumps(value, default=_json_default, ensure_ascii=False)
    if isinstance(value, bytes):
        return value.hex()
    return value


def _json_default(value: object) -> str:
    if isinstance(value, datetime) and value.tzinfo is None:
        # The warehouse keeps TIMESTAMPs in UTC and reads in UTC: without the Z a tool
        # reading the JSON takes the time for its own local time.
        return value.isoformat() + "Z"
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    return str(value)


def _check_paths(paths: tuple[str, ...]) -> None:
    """When no named path exists there is nothing to run: a usage error, before Prefect
    starts. When some do, the run goes on and records each missing one in ingest_errors."""
    from tasks.models import printable_path

    if undecodable := [p for p in paths if printable_path(p) != p]:
        names = ", ".join(printable_path(p) for p in undecodable)
        raise click.BadParameter(f"name is not valid UTF-8, rename it: {names}", param_hint="PATHS")
    missing = [p for p in paths if _missing(p)]
    if missing and len(missing) == len(paths):
        names = ", ".join(printable_path(p) for p in missing)
        raise click.BadParameter(f"no such file or directory: {names}", param_hint="PATHS")


def _missing(path: str) -> bool:
    try:
        os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return True
    except OSError:  # exists but cannot be looked at (permissions): the run records why
        return False
    return False


def _open_warehouse(ctx: click.Context, *, existing: bool = False) -> None:
    """Open (and migrate) the warehouse before Prefect starts: a file that is not a DuckDB
    database, or a folder that cannot be created, stops the command within a second with
    one line, instead of a Prefect start, a failed flow run and its traceback. A lake also
    needs its shared raw store named (NEWSFLOW_RAW_STORE). `existing`: for commands that
    only work on what was landed (export, maintain, enrich, reprocess), a missing file is
    an error too, as for `query`: a misspelt --warehouse made an empty warehouse and
    reported success."""
    import duckdb

    from tasks.errors import ConfigError
    from warehouse import rawstore
    from warehouse.lake import LakeBusy
    from warehouse.store import (
        WarehouseError,
        connect,
        held_elsewhere,
        identity,
        is_lake,
        warehouse_path,
    )

    if existing and not is_lake(ctx.obj["warehouse"]):
        file = warehouse_path(ctx.obj["warehouse"])
        if not file.exists():
            raise click.ClickException(f"no warehouse at {file}: run `newsflow ingest seeds` first")

    if is_lake(ctx.obj["warehouse"]):
        try:
            rawstore.root_for(identity(ctx.obj["warehouse"]))
        except ConfigError as exc:
            raise click.ClickException(str(exc)) from exc
    try:
        with connect(ctx.obj["warehouse"], lock_timeout=PREFLIGHT_LOCK_WAIT_S):
            pass
    except WarehouseError as exc:
        cause = exc.__cause__
        if isinstance(cause, duckdb.IOException) and held_elsewhere(cause):
            return  # in use by another process, so usable: the run waits for it
        if isinstance(cause, LakeBusy):
            return  # a lake another machine is writing to: the same
        raise click.ClickException(str(exc)) from exc
    except (duckdb.Error, OSError) as exc:
        lake = is_lake(ctx.obj["warehouse"])
        file = identity(ctx.obj["warehouse"]) if lake else warehouse_path(ctx.obj["warehouse"])
        raise click.ClickException(f"cannot use warehouse {file}: {one_line(exc)}") from exc


def _check_inbox(directory: str | None) -> None:
    """The inbox folder, made if missing; one that cannot be a folder (NEWSFLOW_INBOX naming
    a file) stops the command before Prefect starts, in one line, not in a failed flow run's
    traceback."""
    from tasks.settings import settings  # not flows.inbox: importing Prefect starts it

    folder = Path(directory) if directory else settings().inbox
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise click.ClickException(f"inbox {folder}: cannot be a folder: {one_line(exc)}") from exc


def _check_urls(urls: tuple[str, ...], param_hint: str = "URLS") -> None:
    """As for paths: when no URL is an http(s) one there is nothing to run, a usage error
    before Prefect starts; when some are, the run records each other one in ingest_errors."""
    from tasks.extract.urls import is_http_url

    _no_passwords(urls)  # first: the message below shows the URLs
    if not any(is_http_url(url) for url in urls):
        raise click.BadParameter(f"not an http(s) URL: {', '.join(urls)}", param_hint=param_hint)


def _no_passwords(urls: Iterable[str]) -> None:
    """A URL with a user name or password is refused before the run: it would be sent as a
    password and kept in plain text in articles, runs and Prefect's flow-run parameters."""
    from tasks.extract.urls import user_info_of

    for url in urls:
        if (user_info := user_info_of(url)) is not None:
            shown = url.replace(f"{user_info}@", "", 1)
            raise click.UsageError(f"a URL with a user name or password: {shown}")


def _check_rules() -> None:
    """A topics or gazetteer file of the user's (NEWSFLOW_TOPICS, NEWSFLOW_ENTITIES) that
    cannot be used stops the command before Prefect starts, with one line naming the file:
    in the workers it would turn every article of the run into an error row instead."""
    from tasks.errors import ConfigError
    from tasks.settings import settings

    given = settings()
    if given.topics_file:
        from tasks.enrich.topics import load_taxonomy

        try:
            load_taxonomy(given.topics_file)
        except ConfigError as exc:
            raise click.ClickException(f"NEWSFLOW_TOPICS: {first_line(exc)}") from exc
    if given.entities_files:
        from tasks.enrich.entities import DEFAULT_FILES, Gazetteer

        try:
            Gazetteer.load((*DEFAULT_FILES, *given.entities_files), given_names=None)
        except ConfigError as exc:
            raise click.ClickException(f"NEWSFLOW_ENTITIES: {first_line(exc)}") from exc


def _load_sources(ctx: click.Context) -> Registry:
    """Read and check the sources file before Prefect starts (a bad one stops the run)."""
    from tasks.sources.registry import RegistryError, load_registry, sources_path

    named = ctx.obj["sources"] or os.environ.get("NEWSFLOW_SOURCES", "").strip()
    if named and not sources_path(ctx.obj["sources"]).exists():
        # Only ./sources.toml may be missing (no sources yet): a file named that is not there
        # is a typo, and polling nothing would hide it.
        raise click.ClickException(f"sources file {sources_path(ctx.obj['sources'])} not found")
    try:
        return load_registry(ctx.obj["sources"])
    except RegistryError as exc:
        raise click.ClickException(first_line(exc)) from exc


def _nothing_configured(registry: Registry, kind: str) -> bool:
    """Say so, and that the run is not started, when the sources file has no `kind` (a
    temporary Prefect server, 10-30 s, to poll nothing)."""
    if any(s.kind == kind for s in registry.sources):
        return False
    entry = "[[feeds]]" if kind == "feed" else "[[sites]]"
    click.echo(
        f"no {kind}s in {registry.path}: add {entry} entries"
        + (" or run `newsflow sources import-opml`" if kind == "feed" else ""),
        err=True,
    )
    return True


def _check_sources_for_drops(ctx: click.Context) -> None:
    """The sources file an OPML drop adds its feeds to: it may not exist yet (the drop
    creates it), but one that is there must read, or every drop would fail on it."""
    from tasks.sources.registry import sources_path

    if sources_path(ctx.obj["sources"]).exists():
        _load_sources(ctx)


@contextmanager
def _prefect(ctx: click.Context) -> Iterator[None]:
    """Prefect, ready for this command's flow runs: the API the user configured, else a
    server started with `prefect server start --background` (found by the process id file it
    keeps in PREFECT_HOME, and asked whether it answers), else a temporary server for this
    command alone, which costs 10-30 s: the user is told so, once."""
    from prefect.settings import get_current_settings

    _hide_tracebacks(not ctx.obj["verbose"])
    settings = get_current_settings()
    if settings.api.url is None:
        url = _background_server(Path(settings.home), settings.server.api.host,
                                 settings.server.api.port)  # fmt: skip
        if url:
            # In the environment, so served flow runs (subprocesses) and the inbox watcher
            # (a thread, which does not see a settings context) use it too.
            os.environ["PREFECT_API_URL"] = url
            from prefect.context import refresh_global_settings_context

            refresh_global_settings_context()
        else:
            click.echo(TEMPORARY_SERVER_NOTE, err=True)
    else:
        _reachable(str(settings.api.url))
    yield


def _reachable(url: str) -> None:
    """Stop at once, in one line, when the configured Prefect API does not answer: runs
    failed after 3-5 s with a generic RuntimeError, and `watch` started, then printed a
    traceback for every drop. Any answer counts (Prefect Cloud may want a key for /health)."""
    import httpx

    try:
        httpx.get(f"{url.rstrip('/')}/health", timeout=10)
    except httpx.HTTPError as exc:
        raise click.ClickException(
            f"cannot reach the Prefect API at {url} (PREFECT_API_URL): {first_line(exc)}"
        ) from exc


def _background_server(home: Path, host: str, port: int) -> str | None:
    """The API of the server `prefect server start --background` runs from `home`, if it
    answers; it listens where PREFECT_SERVER_API_HOST and _PORT say (127.0.0.1:4200)."""
    if not (home / BACKGROUND_SERVER_PID_FILE).exists():
        return None
    import httpx

    host = "127.0.0.1" if host in ("", "0.0.0.0", "::") else host
    url = f"http://{f'[{host}]' if ':' in host else host}:{port}/api"
    try:  # a stale pid file (the server died) answers at once: connection refused
        healthy = httpx.get(f"{url}/health", timeout=5).status_code == 200
    except httpx.HTTPError:
        healthy = False
    return url if healthy else None


class _NoTraceback(logging.Filter):
    """Prefect logs a failed run's traceback to the terminal; the command says what failed in
    one line, and the traceback stays in the run's logs in the UI (and shows with -v)."""

    def filter(self, record: logging.LogRecord) -> bool:
        # The console handler is the root logger's, so the last to see a record: the API
        # handler has already sent it to the UI with its traceback.
        record.exc_info = record.exc_text = record.stack_info = None
        return True


def _hide_tracebacks(hide: bool) -> None:
    from prefect.logging.configuration import ensure_logging_setup
    from prefect.logging.handlers import PrefectConsoleHandler

    # Prefect makes its console handler when `prefect` itself is first imported, which for a
    # command is after this: the filter went on no handler, and a run that failed mid-way (the
    # lake's PostgreSQL stopped, a lock timed out) printed each exception's traceback 2-3 times.
    ensure_logging_setup()
    for handler in logging.getLogger().handlers:
        if isinstance(handler, PrefectConsoleHandler):
            for f in [f for f in handler.filters if isinstance(f, _NoTraceback)]:
                handler.removeFilter(f)
            if hide:
                handler.addFilter(_NoTraceback())


@contextmanager
def _stopped_by_ctrl_c() -> Iterator[None]:
    """`serve` and `watch` run until stopped: Ctrl-C or SIGTERM is how, so exit 0."""
    try:
        yield
    except KeyboardInterrupt:
        click.echo("newsflow: stopped", err=True)


def _run_flow(ctx: click.Context, call: Callable[[], object], workers: bool = True) -> None:
    """Run one flow (the checks before Prefect are done) and report it; exit 3 when some
    inputs failed."""
    from tasks.errors import ConfigError

    _check_rules()
    with _prefect(ctx):
        if workers:  # extraction workers warm up while Prefect starts
            from tasks.extract.pool import prestart

            prestart()

        with _progress_bar():
            try:
                summary = call()
            except ConfigError as exc:  # a bad sources file, an unusable warehouse
                raise click.ClickException(first_line(exc)) from exc
    s = summary  # a RunSummary
    click.echo(
        f"{s.flow_name}: {s.items_seen} found, {s.unchanged} unchanged, {s.items_read} read, "
        f"{s.new_articles} new ({s.duplicates} duplicates), {s.errors} errors "
        f"in {s.seconds:.2f} s -> {s.warehouse} (flow run {s.run_id})"
    )
    for uri, stage, error in s.failures[:20]:
        click.echo(f"  error [{stage}] {uri}: {error}", err=True)
    if len(s.failures) > 20:
        click.echo(f"  ... {len(s.failures) - 20} more in ingest_errors", err=True)
    if s.errors:
        ctx.exit(EXIT_INPUTS_FAILED)


@contextmanager
def _progress_bar() -> Iterator[None]:
    """A progress bar on an interactive terminal while a flow runs in this process."""
    if not sys.stderr.isatty():
        yield
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from flows import progress

    columns = ("{task.description}", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, transient=True) as bar:
        task_id = bar.add_task("starting Prefect", total=None)

        def update(done: int, total: int) -> None:
            bar.update(task_id, completed=done, total=total, description="extracting")

        progress.add_listener(update)
        try:
            yield
        finally:
            progress.remove_listener(update)


if __name__ == "__main__":
    main()
