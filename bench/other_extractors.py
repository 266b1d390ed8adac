"""newsflow against the other news extractors, on the same real pages, in one run.

    python -m bench.other_extractors --setup     # once: a virtualenv per tool (pip, pinned)
    python -m bench.other_extractors [--tools newspaper4k,goose3] [--limit N]

What each is compared at is what it does to one saved article page: the body text, the
title, the published date and the authors. Pages and scoring are bench/extraction_real.py's
(990 real pages of trafilatura's evaluation set, its `with`/`without` snippets for the body;
the gold title, date and author where evaldata.json has them; see that module's docstring).
trafilatura is tuned on this set and newsflow's rules were tuned on its dev half, so the
held-out half is printed apart from all pages.

The others, pinned, each in a virtualenv of its own under --venvs (mediacloud-metadata pins
trafilatura 2.2, newsflow uses 2.3; news-please brings Scrapy): newspaper4k, news-please,
goose3, mediacloud-metadata (Media Cloud's extraction of text, title and date; it has no
authors) and Fundus. bench/other_extractors_run.py runs one of them over the pages in a
one-core loop, image fetching off; newsflow runs as `newsflow ingest files` extracts (its
worker pool).
Fundus parses only the publishers it has a hand-written parser for: it is scored, with
every other system, on the pages of this set from those publishers (38 pages), each with
the parser Fundus had for its publisher on the day the page was published (a parser is
replaced when the site changes its layout; the newest one leaves most of these older pages
empty).

Dates: each page's gold is the day the page shows, in the site's time zone. The others give
that local time; newsflow stores UTC, so its day is compared after moving back by the offset
the page wrote (extraction_real's "local" column). Time: CPU milliseconds of extraction per
page (the tool's own calls, not its start-up; CPU, because the machine may be busy);
newsflow's is its pool workers' CPU time per page, every step of its extraction included.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import warnings
from collections import Counter
from datetime import datetime
from pathlib import Path

from bench import extraction_real as er
from bench.report import print_rows

RUNNER = Path(__file__).with_name("other_extractors_run.py")
DEFAULT_VENVS = Path(tempfile.gettempdir()) / "newsflow-other-extractors"
# The versions measured (docs/benchmarks.md); --setup installs exactly these.
PINS = {
    "newspaper4k": ["newspaper4k==0.9.6"],
    "news-please": ["news-please==1.6.16"],
    "goose3": ["goose3==3.1.22"],
    "mediacloud-metadata": ["mediacloud-metadata==2.1.0"],
    # fundus 0.5.7 imports a name curl-cffi 0.13+ no longer has (normalize_browser_type)
    "fundus": ["fundus==0.5.7", "curl-cffi==0.12.0"],
}


def python_of(venvs: Path, tool: str) -> Path:
    return venvs / tool / "bin" / "python"


def setup(venvs: Path, tools: list[str]) -> None:
    for tool in tools:
        home = venvs / tool
        print(f"setting up {' '.join(PINS[tool])} in {home} ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(home)], check=True)
        pip = [str(python_of(venvs, tool)), "-m", "pip", "install", "-q"]
        # The pip that `venv` ships fails to resolve mediacloud-metadata's extras
        # ("Internal issue: Candidate is not for this requirement lxml[html-clean]").
        subprocess.run([*pip, "-U", "pip"], check=True)
        subprocess.run([*pip, *PINS[tool]], check=True)


def _local(value: str | None) -> datetime | None:
    """The wall time a tool gave, in the zone it gave it in (the page's own day)."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(value).replace(tzinfo=None)
    except ValueError:
        from dateutil import parser

        try:
            with warnings.catch_warnings():  # "tzname CET identified but not understood"
                warnings.simplefilter("ignore")
                return parser.parse(value).replace(tzinfo=None)
        except (ValueError, OverflowError):
            return None


def usable_url(url: str) -> str:
    """36 pages of the set are named, not located ('hard::stluciatimes.com-dea.html'): the
    others take the URL (Media Cloud's raises "Invalid port" on such a name), so they get
    one made of the name, https://stluciatimes.com/dea.html. newsflow, as `ingest files`,
    takes no URL at all."""
    if url.startswith(("http://", "https://")):
        return url
    return "https://" + url.split("::", 1)[-1].replace("-", "/", 1)


def run_other(
    tool: str, venvs: Path, pages: list[er.Page], work: Path
) -> tuple[er.System, set[str]]:
    """The tool's outputs, and the URLs of the pages it could take (Fundus: its publishers)."""
    listing = work / "pages.json"
    rows = [
        {"url": p.url, "given": usable_url(p.url), "path": p.path, "day": p.gold.get("date")}
        for p in pages
    ]
    listing.write_text(json.dumps(rows))
    out = work / f"{tool}.jsonl"
    subprocess.run(
        [str(python_of(venvs, tool)), str(RUNNER), tool, str(listing), str(out)],
        check=True,
        stderr=subprocess.DEVNULL,  # their own warnings; errors come back per page
    )
    system = er.System(tool)
    supported = set()
    for line in out.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        url = row["url"]
        if row.get("unsupported"):
            continue
        supported.add(url)
        system.seconds += row["seconds"]
        if error := row.get("error"):
            system.errors[url] = error
            continue
        system.outputs[url] = row.get("text")
        system.meta[url] = {
            "title": row.get("title"),
            "authors": row.get("authors") or [],
            "published_at": _local(row.get("date")),
        }
    system.cpu_seconds = system.seconds
    return system, supported


def run_trafilatura(pages: list[er.Page]) -> er.System:
    """Bare trafilatura: extract() for the body, extract_metadata() for the rest."""
    body = er.run_trafilatura(pages, "trafilatura")
    body.meta = er.run_trafilatura_metadata(pages).meta
    return body


def summary(pages: list[er.Page], systems: list[er.System], title: str) -> None:
    print(f"\n{title}")
    head = (
        f"{'':<20} {'P':>6} {'R':>6} {'F1':>6} {'empty':>5}  "
        f"{'title':>6} {'date':>6} {'author':>6} {'junk':>6}  {'ms/page':>7}"
    )
    print(head)
    for s in systems:
        c = s.pooled(pages)
        m = er.MetaCounts()
        for p in pages:
            m.add(er.meta_score(p, s.meta.get(p.url)))
        no_authors = s.name == "mediacloud-metadata"
        author = f"{'-':>6}" if no_authors else er._rate(m.author_found, m.authors)
        per_page = 1000 * s.cpu_seconds / max(1, len(s.outputs) + len(s.errors))
        print(
            f"{s.name:<20} {c.precision:6.3f} {c.recall:6.3f} {c.f1:6.3f} {c.empty:5d}  "
            f"{er._rate(m.title_exact, m.titles)} {er._rate(m.date_local, m.dates)} "
            f"{author} {er._rate(m.junk, m.extracted)}  {per_page:7.1f}"
        )


def run(args: argparse.Namespace) -> None:
    from tasks.extract.pool import prestart

    prestart()
    for name in ("trafilatura", "htmldate", "courlan", "charset_normalizer", "readability"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    tools = [t for t in args.tools if python_of(args.venvs, t).exists()]
    for missing in sorted(set(args.tools) - set(tools)):
        print(f"{missing}: not set up in {args.venvs} (run with --setup); left out")
    pages = er.load_pages(er.unpack(args.data, args.cache))
    er.set_groups(pages)
    if args.limit:
        pages = pages[: args.limit]
    print(f"pages: {len(pages)}, {sum(p.split == 'held-out' for p in pages)} held-out")

    newsflow, _, _ = er.run_newsflow(pages)
    er.add_offsets(pages, newsflow)
    print(f"  ran newsflow ({newsflow.seconds:.1f} s on {newsflow.workers} workers)", flush=True)
    systems = [newsflow, run_trafilatura(pages)]
    print(f"  ran trafilatura ({systems[1].seconds:.1f} s)", flush=True)
    fundus: tuple[er.System, set[str]] | None = None
    with tempfile.TemporaryDirectory(prefix="newsflow-others-") as work:
        for tool in tools:
            system, supported = run_other(tool, args.venvs, pages, Path(work))
            print(f"  ran {tool} ({system.seconds:.1f} s)", flush=True)
            if tool == "fundus":
                fundus = system, supported
            else:
                systems.append(system)
    for s in systems:
        s.score_all(pages)

    held_out = [p for p in pages if p.split == "held-out"]
    summary(held_out, systems, f"Held-out pages ({len(held_out)}): body P/R/F1 and empty "
            "pages; title exact, date (the page's day), authors found, author junk")  # fmt: skip
    summary(pages, systems, f"All pages ({len(pages)})")
    print_f1_by_language(pages, systems)
    if fundus is not None:
        system, supported = fundus
        theirs = [p for p in pages if p.url in supported]
        system.score_all(theirs)
        hosts = len({er.page_host(p.url) for p in theirs})
        summary(theirs, [*systems, system], f"Pages from the publishers Fundus has a parser "
                f"for ({len(theirs)} pages, {hosts} publishers), all systems")  # fmt: skip
    for s in systems + ([fundus[0]] if fundus else []):
        if s.errors:
            kinds = Counter(reason.split(":")[0] for reason in s.errors.values())
            print(f"\n{s.name}: {len(s.errors)} pages gave an error")
            print_rows([(kind, str(n)) for kind, n in kinds.most_common(5)])


def print_f1_by_language(pages: list[er.Page], systems: list[er.System]) -> None:
    members: dict[str, list[er.Page]] = {}
    for page in pages:
        members.setdefault(page.group, []).append(page)
    order = sorted(members, key=lambda g: (g == "other", -len(members[g]), g))
    print("\nBody F1 by language, all pages (empty pages in brackets)")
    print(f"{'lang':<7}{'pages':>6}  " + "  ".join(f"{s.name[:14]:>14}" for s in systems))
    for group in order:
        cells = []
        for s in systems:
            c = s.pooled(members[group])
            cells.append(f"{c.f1:8.3f} ({c.empty:3d})")
        print(f"{group:<7}{len(members[group]):>6}  " + "  ".join(cells))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=er.DEFAULT_DATA, help="the .tar.xz")
    parser.add_argument("--cache", type=Path, default=er.DEFAULT_CACHE, help="unpack here")
    parser.add_argument("--venvs", type=Path, default=DEFAULT_VENVS, help="one virtualenv a tool")
    parser.add_argument(
        "--tools",
        type=lambda s: [t.strip() for t in s.split(",")],
        default=list(PINS),
        help=f"comma-separated, of: {', '.join(PINS)}",
    )
    parser.add_argument("--setup", action="store_true", help="make the virtualenvs, then stop")
    parser.add_argument("--limit", type=int, help="the first N pages")
    args = parser.parse_args()
    if unknown := [t for t in args.tools if t not in PINS]:
        sys.exit(f"unknown tool: {', '.join(unknown)} (known: {', '.join(PINS)})")
    if args.setup:
        setup(args.venvs, args.tools)
        return
    if not args.data.is_file():
        sys.exit(f"no evaluation archive at {args.data} (give --data)")
    home = tempfile.mkdtemp(prefix="newsflow-bench-prefect-")
    os.environ.setdefault("PREFECT_HOME", home)
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    try:
        run(args)
    finally:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
