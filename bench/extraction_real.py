"""Body extraction on real pages: newsflow against bare trafilatura, per language, one run.

    python -m bench.extraction_real [--limit N] [--lang de] [--json out.json] [--flow]
    python -m bench.extraction_real --metadata [--split dev|held-out|all] [--misses 20]

Data: ../shared/data/extraction-eval.tar.xz (990 real pages, trafilatura's evaluation set;
see ../shared/data/README.md), unpacked once into --cache (default /tmp/newsflow-extraction-eval)
and reused. Nothing is fetched: the bench runs offline.

Scoring is trafilatura's own (tests/eval_common.py in its repository): each page has 1-6
snippets the body must contain (`with`) and 1-6 it must not (`without`: menus, dates,
footers, comments). Output and snippets are whitespace-normalised (runs of whitespace to
one space, stripped) and matched as substrings: a `with` snippet found is a true positive,
missed a false negative; a `without` snippet found is a false positive, absent a true
negative. A page with no output scores every `with` as missed and every `without` as
absent. Counts are pooled over pages, then precision, recall, F1 and accuracy computed.

Systems, on the same pages:
- newsflow: what `newsflow ingest files` does to a .html file: SourceItems from
  tasks.sources.files, extracted batch by batch (flows.runs.BATCH_SIZE, EXTRACT_AHEAD batches
  queued) through tasks.extract.pool.start on the flow's own pool (make_pool, after prestart).
  Scored body: Article.text (the title has its own column); title + text is scored as well.
  An FailedItem counts as an empty page; its reasons are listed.
- trafilatura: `trafilatura.extract(html)` with its defaults in a plain one-core loop, and
  the favor_precision / favor_recall variants (skip them with --no-variants).

Metadata (--metadata, instead of the body figures): evaldata.json has a gold `title`,
`author` and `date` for 851 of the pages. For newsflow (Article.title / authors / author /
published_at, same pool run as above) and for bare `trafilatura.extract_metadata(html,
default_url=url)` on the same pages:
- title exact: whitespace-normalised and stripped, equal to the gold one (pages with a gold
  title); "loose": equal after case folding and dropping punctuation and symbols.
- date: the published date is the gold day (pages with a gold date); "±1day": within a day
  of it. The gold is the day as the page prints it, in the site's time zone; newsflow stores
  UTC (an article at 00:30 in Buenos Aires is the next day in UTC), trafilatura the local day.
  "local": newsflow's UTC time moved back by the UTC offset the page wrote its published date
  in (PageMeta.published_offset; none: UTC), so the site's own day is compared. "p|m": the
  gold day is the published or the modified day (local as above): the gold is the date the
  page shows, and on a quarter of the dev misses that is when it was last updated.
- author found: every gold name (the gold string split on , ; & / and/und/et) is contained,
  case-folded, in the extracted authors joined (pages with a gold author).
- author junk: of the pages where an author was extracted, the share with an e-mail, a URL,
  a handle, a number-only id or the site's name (og:site_name or host) among the authors,
  unless the gold names it (a blog named after its author: 'Andreas Kalt').
trafilatura is tuned on this set, so the pages are split by URL: md5(url) even = dev (tune
rules there), odd = held-out (report only). Both splits are printed.

Language per page: the eval data has none (its `region` is a country), so py3langid on the
page's `with` snippets joined; languages with fewer than 10 pages are reported as "other".
"""

from __future__ import annotations

import argparse
import codecs
import hashlib
import json
import logging
import os
import re
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import unicodedata
from collections import Counter, deque
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

# Light on purpose: every pool worker imports this module again as __mp_main__, so heavy
# imports here (Prefect, via tasks.extract.pool) would be timed as the workers' start-up.
from bench.report import print_rows

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "extraction-eval.tar.xz"
DEFAULT_CACHE = Path(tempfile.gettempdir()) / "newsflow-extraction-eval"
CORPUS_DIR = "extraction-eval"  # the archive's top folder
UNPACKED_MARK = ".unpacked"  # written last, so a half-done unpack is never reused
MIN_LANG_PAGES = 10  # smaller language groups are pooled as "other"
TOP_LOSSES = 20
SNIPPET_SHOW = 70  # characters of a snippet shown in the loss list
# Han, kana and Hangul: a page whose `with` snippets are mostly these has no spaces to count.
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_LETTER = re.compile(r"[^\W\d_]")
_WS = re.compile(r"\s+")
_NUMBER = re.compile(r"\d[\d,.]*")
_INVISIBLE = str.maketrans(dict.fromkeys("\xad\u200b"))


def norm(text: str) -> str:
    """trafilatura's eval normalisation: whitespace runs to one space, stripped; and soft
    hyphens and zero-width spaces, which no reader sees, dropped on both sides (3 pages' gold
    snippets keep the page's soft hyphens, in 'Werkzeugtypen' after 'erk', 'zeug' and 'ty',
    where newsflow's text, as a reader or a search wants it, drops them)."""
    return _WS.sub(" ", text.translate(_INVISIBLE)).strip()


@dataclass(slots=True)
class Page:
    url: str
    file: str
    path: str
    with_: list[str]
    without: list[str]
    lang: str
    cjk: bool
    group: str = ""  # lang, or "other" when the whole set has fewer than MIN_LANG_PAGES
    gold: dict[str, str] = field(default_factory=dict)  # title, author, date (may be "")

    @property
    def split(self) -> str:
        """dev (md5 of the URL even: rules are tuned there) or held-out (odd: report only)."""
        return "dev" if hashlib.md5(self.url.encode()).digest()[-1] % 2 == 0 else "held-out"


@dataclass(slots=True)
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    pages: int = 0
    empty: int = 0

    def add(self, other: Counts) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        self.tn += other.tn
        self.pages += other.pages
        self.empty += other.empty

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        denominator = 2 * self.tp + self.fp + self.fn
        return 2 * self.tp / denominator if denominator else 0.0

    @property
    def accuracy(self) -> float:
        total = self.tp + self.fp + self.fn + self.tn
        return (self.tp + self.tn) / total if total else 0.0

    @property
    def correct(self) -> int:
        return self.tp + self.tn


def score(page: Page, output: str | None) -> Counts:
    """One page's counts, as trafilatura's count_item does."""
    if not output or not output.strip():
        return Counts(0, 0, len(page.with_), len(page.without), pages=1, empty=1)
    text = norm(output)
    tp = sum(1 for s in page.with_ if norm(s) in text)
    fp = sum(1 for s in page.without if norm(s) in text)
    return Counts(tp, fp, len(page.with_) - tp, len(page.without) - fp, pages=1)


@dataclass
class System:
    """One extractor's outputs over the pages, with its time and, for newsflow, errors."""

    name: str
    outputs: dict[str, str | None] = field(default_factory=dict)  # url -> scored text
    errors: dict[str, str] = field(default_factory=dict)  # url -> reason it gave nothing
    seconds: float = 0.0
    start_seconds: float = 0.0  # newsflow: of `seconds`, until every pool worker answered
    cpu_seconds: float = 0.0  # CPU time of the extraction (newsflow: summed over workers)
    encodings: dict[str, str] = field(default_factory=dict)  # newsflow: url -> charset used
    workers: int = 1  # processes it ran on
    scores: dict[str, Counts] = field(default_factory=dict)
    # url -> extracted metadata: title, authors (list), published_at (datetime or None)
    meta: dict[str, dict[str, object]] = field(default_factory=dict)

    def score_all(self, pages: list[Page]) -> None:
        self.scores = {p.url: score(p, self.outputs.get(p.url)) for p in pages}

    def pooled(self, pages: Iterable[Page]) -> Counts:
        total = Counts()
        for page in pages:
            total.add(self.scores[page.url])
        return total


# ---------------------------------------------------------------------------- the corpus


def unpack(archive: Path, cache: Path) -> Path:
    """The unpacked corpus folder, unpacked now unless a complete copy is already there."""
    target = cache / CORPUS_DIR
    mark = target / UNPACKED_MARK
    stamp = f"{archive.stat().st_size} {archive.stat().st_mtime_ns}"
    if mark.is_file() and mark.read_text() == stamp:
        return target
    cache.mkdir(parents=True, exist_ok=True)
    print(f"unpacking {archive} into {cache} ...", flush=True)
    staging = Path(tempfile.mkdtemp(prefix="unpack-", dir=cache))
    try:
        with tarfile.open(archive, "r:xz") as tar:
            tar.extractall(staging, filter="data")
        if target.exists():
            shutil.rmtree(target)
        (staging / CORPUS_DIR).rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    mark.write_text(stamp)
    return target


def load_pages(corpus: Path) -> list[Page]:
    """Every page of evaldata.json, with its file resolved (cache/ first, as trafilatura
    does) and its language detected on its `with` snippets."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    data = json.loads((corpus / "evaldata.json").read_text(encoding="utf-8"))
    pages = []
    for url, entry in data.items():
        path = next(
            (corpus / sub / entry["file"] for sub in ("cache", "eval")
             if (corpus / sub / entry["file"]).is_file()),
            None,
        )  # fmt: skip
        if path is None:
            print(f"  skipped {url}: {entry['file']} is not in the archive")
            continue
        snippets = " ".join(entry["with"])
        lang = entry.get("language") or identifier.classify(snippets)[0]
        letters = len(_LETTER.findall(snippets))
        cjk = letters > 0 and len(_CJK.findall(snippets)) / letters >= 0.5
        page = Page(url, entry["file"], str(path), entry["with"], entry["without"], lang, cjk)
        page.gold = {
            k: "; ".join(v) if isinstance(v := entry.get(k) or "", list) else v
            for k in ("title", "author", "date")
            if k in entry
        }  # a few gold authors are lists
        pages.append(page)
    return pages


def set_groups(pages: list[Page]) -> None:
    """Each page's reporting group: its language, or "other" for languages with fewer than
    MIN_LANG_PAGES pages in the whole set (decided before --lang/--limit cut it down)."""
    sizes = Counter(p.lang for p in pages)
    for page in pages:
        page.group = page.lang if sizes[page.lang] >= MIN_LANG_PAGES else "other"


# ------------------------------------------------------------------------------ systems


def run_newsflow(pages: list[Page]) -> tuple[System, System, Counter[str]]:
    """newsflow's extraction as the ingest-files flow runs it: batches queued ahead on the
    flow's pool. Returns the text-only system, the title + text one, and error reasons."""
    from concurrent.futures import wait

    from flows.runs import EXTRACT_AHEAD, in_batches
    from tasks.extract.pool import make_pool, start
    from tasks.models import Article
    from tasks.sources.files import discover

    items, discover_errors = discover([p.path for p in pages], "file")
    by_uri = {p.path: p.url for p in pages}
    text = System("newsflow")
    titled = System("newsflow title+text")
    reasons: Counter[str] = Counter()
    for error in discover_errors:
        text.errors[by_uri[error.source_uri]] = f"discover: {error.error}"

    batches = [batch.items for batch in in_batches(items)]
    started, cpu = time.perf_counter(), time.process_time()
    pool = make_pool(len(items))
    results = []
    try:
        if pool is not None:
            # The fixed cost apart from the rate: a short sleep per worker makes the pool
            # start every worker (each from the fork server, which may still be preloading).
            wait([pool.submit(time.sleep, 0.05) for _ in range(_cores())])
        text.start_seconds = titled.start_seconds = time.perf_counter() - started
        queue: deque = deque()
        upcoming = iter(batches)
        while True:
            while len(queue) < EXTRACT_AHEAD and (batch := next(upcoming, None)):
                queue.append(start(batch, pool))
            if not queue:
                break
            articles, errors = queue.popleft().result()
            results.extend(articles)
            results.extend(errors)
        text.seconds = titled.seconds = time.perf_counter() - started
        # Before shutdown, while the workers are alive: their CPU time is the extraction's
        # cost whatever else the machine runs (wall-clock rates are not, on a shared box).
        # (_processes: the executor's own pid -> process map; there is no public one.)
        workers = list(pool._processes) if pool is not None else []
        text.cpu_seconds = sum(_cpu_seconds(pid) for pid in workers)
        text.workers = titled.workers = max(1, len(workers))
        if pool is None:  # too few items for a pool: extracted in this process
            text.cpu_seconds = time.process_time() - cpu
    finally:
        if pool is not None:
            pool.shutdown()

    for result in results:
        url = by_uri[result.source_uri]
        if isinstance(result, Article):
            text.outputs[url] = result.text
            text.encodings[url] = result.encoding or ""
            titled.outputs[url] = f"{result.title}\n{result.text}" if result.title else result.text
            authors = getattr(result, "authors", None)
            if authors is None:  # before the authors column: the joined string, split
                authors = [a.strip() for a in (result.author or "").split(", ") if a.strip()]
            text.meta[url] = {
                "title": result.title,
                "authors": list(authors),
                "published_at": result.published_at,
                "modified_at": getattr(result, "modified_at", None),
                "site_name": result.site_name,
                "language": result.language,
            }
        else:
            text.errors[url] = f"{result.stage}: {result.error}"
    for url, reason in text.errors.items():
        titled.errors[url] = reason
        reasons[_NUMBER.sub("N", reason)] += 1
    return text, titled, reasons


def run_trafilatura(pages: list[Page], name: str, **options: object) -> System:
    """A plain one-core loop: read the file, trafilatura.extract(bytes, **options), in a
    process of its own (bench/bare_loop.py: stock trafilatura, as a user runs it)."""
    result = _bare_loop([p.path for p in pages], options)
    system = System(name)
    for page, output, error in zip(pages, result["outputs"], result["errors"], strict=True):
        system.outputs[page.url] = output
        if error:
            system.errors[page.url] = error
    system.seconds, system.cpu_seconds = result["seconds"], result["cpu"]
    return system


def _bare_loop(paths: list[str], options: dict, warm: list[str] | None = None) -> dict:
    job = json.dumps({"paths": paths, "options": options, "warm": warm or []})
    done = subprocess.run(
        [sys.executable, "-m", "bench.bare_loop"], input=job, capture_output=True, text=True,
        cwd=ROOT, check=True,
    )  # fmt: skip
    return json.loads(done.stdout)


def warm_cpu(pages: list[Page], k: int) -> tuple[int, float, float]:
    """CPU ms per page of newsflow's extract_item (in this process) and of bare
    trafilatura.extract (in a process of its own) on k pages, after k other pages: the
    steady-state cost, without the pool and without what each process pays on first use
    (models, caches). Other pages, not the same ones again: a second pass would find in
    the caches what a new page does not (fast_xpath's attribute values, htmldate's)."""
    from tasks.extract.document import extract_item
    from tasks.sources.files import discover

    spread = pages[:: max(1, len(pages) // (2 * k))][: 2 * k]
    first, timed = spread[0::2], spread[1::2]
    for sample in (first, timed):
        items, _ = discover([p.path for p in sample], "file")
        cpu = time.process_time()
        for item in items:
            extract_item(item)
        ours = 1000 * (time.process_time() - cpu) / len(sample)
    paths = [p.path for p in timed]
    bare = 1000 * _bare_loop(paths, {}, warm=[p.path for p in first])["cpu"] / len(timed)
    return len(timed), ours, bare


def _cores() -> int:
    """Cores this process may use: what make_pool sizes the pool by."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a live process (Linux /proc; 0 where unavailable)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


FLOW_SMALL = 10  # pages in the small flow run that measures the fixed in-flow cost


def run_flow(pages: list[Page], bare_rate: float, repeats: int) -> list[tuple[str, str]]:
    """The whole ingest-files flow (every stage, landing in a fresh DuckDB file) as
    `newsflow ingest files` runs it (fork server started ahead, against one Prefect server):
    on FLOW_SMALL pages and on all of them. The marginal rate is the pages beyond the small
    run over the time beyond it; the fixed in-flow cost is what the small run took beyond
    its pages at that rate (warehouse, discovery, pool, first and last batch hand-overs).

    The machine is shared, and its speed moves by 10-30% from one minute to the next: the
    pair of runs is made `repeats` times, each followed by the bare loop again, and each
    marginal rate is compared with the bare loop timed just before and just after it."""
    from prefect.testing.utilities import prefect_test_harness

    from flows.ingest import ingest_files
    from tasks.extract.pool import prestart

    prestart()
    rows: list[tuple[str, str]] = []
    ratios = []
    with (
        tempfile.TemporaryDirectory(prefix="newsflow-bench-") as tmp,
        prefect_test_harness(server_startup_timeout=120),
    ):
        for repeat in range(1, repeats + 1):
            runs = []
            for n, subset in enumerate((pages[:FLOW_SMALL], pages)):
                wall = time.perf_counter()
                summary = ingest_files(
                    paths=[p.path for p in subset],
                    warehouse=str(Path(tmp) / f"r{repeat}-{n}.duckdb"),
                )
                runs.append((len(subset), summary, time.perf_counter() - wall))
            bare_after = len(pages) / run_trafilatura(pages, "trafilatura").seconds
            (n_small, small, _), (n_all, full, wall) = runs
            marginal = (n_all - n_small) / max(full.seconds - small.seconds, 1e-9)
            fixed = small.seconds - n_small / marginal
            rate = full.items_read / full.seconds if full.seconds else 0.0
            bare = (bare_rate + bare_after) / 2
            ratios.append(marginal / bare)
            rows += [
                (f"ingest_files flow, all stages, run {repeat}: in-flow",
                 f"{full.seconds:.1f} s, {rate:.1f} pages/s"),
                ("  wall (excl. Prefect server start-up)", f"{wall:.1f} s"),
                ("  landed / errors", f"{full.new_articles} / {full.errors}"),
                (f"  in-flow, {n_small} pages", f"{small.seconds:.2f} s"),
                ("  marginal rate (pages beyond the small run)", f"{marginal:.1f} pages/s"),
                ("  fixed in-flow cost", f"{fixed:.2f} s"),
                ("  bare trafilatura loop before / after",
                 f"{bare_rate:.1f} / {bare_after:.1f} pages/s"),
                ("  marginal rate / bare loop (mean of before and after)",
                 f"{marginal / bare:.2f} x"),
            ]  # fmt: skip
            bare_rate = bare_after
    rows.append(
        (f"marginal rate / bare trafilatura loop, median of {repeats}",
         f"{statistics.median(ratios):.2f} x")
    )  # fmt: skip
    return rows


# ----------------------------------------------------------------------------- printing


def _cells(c: Counts) -> str:
    return f"{c.precision:6.3f} {c.recall:6.3f} {c.f1:6.3f} {c.empty:5d}"


def print_language_table(
    pages: list[Page], systems: list[System], title: str, gap_column: bool = True
) -> None:
    """P / R / F1 / empty pages per language group for each system; with `gap_column`, the
    pages the first system leaves empty that the second fills."""
    members: dict[str, list[Page]] = {}
    for page in pages:
        members.setdefault(page.group, []).append(page)
    order = sorted(members, key=lambda g: (g == "other", -len(members[g]), g))
    newsflow, bare = systems[0], systems[1]
    width = 27  # one system's four cells
    print(f"\n{title}")
    gap = ("  nf empty,", "  tr not") if gap_column else ("", "")
    print(f"{'':<7}{'':>6}  " + "  ".join(f"{s.name[:width]:^{width}}" for s in systems)
          + gap[0])  # fmt: skip
    print(f"{'lang':<7}{'pages':>6}  " + "  ".join(
        f"{'P':>6} {'R':>6} {'F1':>6} {'empty':>5}" for _ in systems) + gap[1])  # fmt: skip
    rows = [(g, members[g]) for g in order] + [("all", pages)]
    for group, group_pages in rows:
        if group == "all":
            print("-" * (15 + (width + 2) * len(systems) + 8))
        filled = sum(
            1 for p in group_pages
            if newsflow.scores[p.url].empty and not bare.scores[p.url].empty
        )  # fmt: skip
        cells = "  ".join(_cells(s.pooled(group_pages)) for s in systems)
        tail = f"  {filled:>8}" if gap_column else ""
        print(f"{group:<7}{len(group_pages):>6}  {cells}{tail}")
    other = sorted({p.lang for p in pages if p.group == "other"})
    if other:
        print(f"other = {', '.join(other)}")


def print_overall(pages: list[Page], systems: list[System]) -> None:
    rows = []
    for s in systems:
        c = s.pooled(pages)
        rows.append(
            (
                s.name,
                f"P {c.precision:.3f}  R {c.recall:.3f}  F1 {c.f1:.3f}  acc {c.accuracy:.3f}  "
                f"empty {c.empty:3d}  (tp {c.tp} fp {c.fp} fn {c.fn} tn {c.tn})",
            )
        )
    print("\nOverall (snippet counts pooled over all pages)")
    print_rows(rows)


def print_times(
    pages: list[Page], systems: list[System], warm: tuple[int, float, float] | None
) -> list[tuple[str, str]]:
    """Wall-clock rates as measured, and CPU time per page, which other processes on the
    machine disturb much less; from it, the rate each would reach on idle cores."""
    newsflow, bare = systems[0], systems[1]
    workers = newsflow.workers
    n = len(pages)
    mb = sum(os.path.getsize(p.path) for p in pages) / 1e6
    nf_rate, bare_rate = n / newsflow.seconds, n / bare.seconds
    marginal = n / (newsflow.seconds - newsflow.start_seconds)

    from tasks.extract.pool import POOL_MIN_ITEMS

    def cpu(s: System) -> str:
        return f"{1000 * s.cpu_seconds / n:5.0f} ms CPU/page" if s.cpu_seconds else ""

    rows = [
        ("pages", f"{n}, {mb:.1f} MB, {1000 * mb / n:.0f} KB mean"),
        (
            f"newsflow extraction, flow's pool of {workers}, incl. its start"
            if n >= POOL_MIN_ITEMS
            else f"newsflow extraction, in-process (no pool below {POOL_MIN_ITEMS} items)",
            f"{newsflow.seconds:6.1f} s  {nf_rate:6.1f} pages/s  {cpu(newsflow)}",
        ),
        ("  of which pool start (every worker answering)", f"{newsflow.start_seconds:6.1f} s"),
        (
            "  after the pool is up",
            f"{newsflow.seconds - newsflow.start_seconds:6.1f} s  {marginal:6.1f} pages/s",
        ),
    ]
    # Each loop runs in a fresh process and pays its first use of trafilatura (htmldate's
    # dateparser compiles its locale patterns then: about a second), as a user's loop does.
    for s in systems[1:]:
        label = f"bare {s.name}, 1 core, own process (first use)"
        rows.append((label, f"{s.seconds:6.1f} s  {n / s.seconds:6.1f} pages/s  {cpu(s)}"))
    rows += [
        ("newsflow / bare defaults, wall, incl. pool start", f"{nf_rate / bare_rate:.2f} x"),
        ("newsflow / bare defaults, wall, pool up", f"{marginal / bare_rate:.2f} x"),
    ]
    if newsflow.cpu_seconds and bare.cpu_seconds:
        idle_nf = workers * n / newsflow.cpu_seconds
        idle_bare = n / bare.cpu_seconds
        rows.append(
            (
                f"from CPU time, on {workers} idle cores vs 1 (pool up)",
                f"newsflow {idle_nf:.1f} pages/s, bare {idle_bare:.1f} pages/s: "
                f"{idle_nf / idle_bare:.2f} x",
            )
        )
    if warm:
        k, ours, theirs = warm
        # A diagnostic, not a rate: CPU time over ~3 s of work moves by ±20% from one run
        # to the next on this shared machine (the same 100 pages: bare 23.8 and 31.0 ms).
        rows.append(
            (
                f"steady state, {k} pages after {k} others, each in its own process",
                f"newsflow {ours:.0f} ms CPU/page, bare {theirs:.0f} ms (noisy: +-20%)",
            )
        )
        if newsflow.cpu_seconds:
            extra = (newsflow.cpu_seconds - n * ours / 1000) / workers
            rows.append(
                ("  pool CPU beyond steady state, per worker (first use)", f"{extra:.1f} s")
            )
    return rows


def diagnose(page: Page, newsflow: System) -> str | None:
    """A cause visible from outside the extractor: the page decoded with another charset
    than it declares, or `with` snippets that match once newsflow's text is NFC-normalised
    (trafilatura.extract normalises its output; its bare_extraction, which newsflow calls,
    does not)."""
    from tasks.extract.decode import declared_charset

    used = newsflow.encodings.get(page.url)
    if used:
        with open(page.path, "rb") as fh:
            declared = declared_charset(fh.read(4096))
        if declared and _codec(used) != _codec(declared):
            return f"decoded as {used}, page declares {declared}"
    text = newsflow.outputs.get(page.url)
    if text and unicodedata.is_normalized("NFC", text) is False:
        plain, nfc = norm(text), norm(unicodedata.normalize("NFC", text))
        if any(norm(s) in nfc and norm(s) not in plain for s in page.with_):
            return "text not NFC-normalised: missed snippets match after NFC"
    return None


def _codec(name: str) -> str:
    """The codec an encoding label names: "utf-8 (2 invalid bytes replaced)" and utf-8-sig
    (a byte-order mark) are UTF-8, which is what a page declaring utf-8 asks for."""
    name = name.split(" ")[0]
    try:
        name = codecs.lookup(name).name
    except LookupError:
        return name
    return "utf-8" if name == "utf-8-sig" else name


def loss_kind(nf: Counts, tr: Counts, diagnosis: str | None = None) -> str:
    """What newsflow got on a page where it does worse than trafilatura."""
    if nf.empty:
        return "empty"
    if diagnosis:
        return "mis-decoded" if diagnosis.startswith("decoded") else "not NFC"
    if nf.tp == 0 and tr.tp > 0:
        return "wrong block" + ("+chrome" if nf.fp > tr.fp else "")
    kinds = []
    if nf.tp < tr.tp:
        kinds.append("cut")
    if nf.fp > tr.fp:
        kinds.append("chrome")
    return "+".join(kinds) or "?"


def _words(text: str | None) -> int:
    return len(text.split()) if text else 0


def _show(snippets: list[str]) -> str:
    return " | ".join(repr(norm(s)[:SNIPPET_SHOW]) for s in snippets)


def print_diagnoses(pages: list[Page], newsflow: System, bare: System, found: dict) -> None:
    """Pages decoded against their declaration, or whose text is not NFC where it matters."""
    print(f"\nDecoding and Unicode form (newsflow): {len(found)} pages")
    for url, diagnosis in sorted(found.items(), key=lambda x: x[1]):
        delta = bare.scores[url].correct - newsflow.scores[url].correct
        print(f"  {diagnosis}; vs trafilatura {-delta:+d} snippets right: {url}")


def print_losses(pages: list[Page], newsflow: System, bare: System, found: dict[str, str]) -> None:
    losses = []
    better = worse = same = 0
    kinds: Counter[str] = Counter()
    for page in pages:
        nf, tr = newsflow.scores[page.url], bare.scores[page.url]
        delta = tr.correct - nf.correct
        if delta > 0:
            worse += 1
            kinds[loss_kind(nf, tr, found.get(page.url))] += 1
            losses.append((delta, -nf.correct, page))
        elif delta < 0:
            better += 1
        else:
            same += 1
    print(
        f"\nPage by page against bare trafilatura (snippets right, with + without): newsflow "
        f"better on {better}, equal on {same}, worse on {worse}"
    )
    print("  worse, by kind: " + ", ".join(f"{k} {n}" for k, n in kinds.most_common()))
    print(
        f"\nThe {TOP_LOSSES} pages where newsflow loses most (loss = snippets trafilatura gets "
        "right and newsflow does not, net)\n  kinds: empty = no article; wrong block = text "
        "but none of the `with` snippets trafilatura found; cut = misses `with` snippets "
        "trafilatura found; chrome = `without` snippets trafilatura drops; mis-decoded / "
        "not NFC: see above"
    )
    losses.sort(key=lambda x: (-x[0], x[1], x[2].url))
    norm_page: Callable[[str | None], str] = lambda t: norm(t) if t else ""  # noqa: E731
    for rank, (delta, _, page) in enumerate(losses[:TOP_LOSSES], 1):
        nf, tr = newsflow.scores[page.url], bare.scores[page.url]
        nf_text, tr_text = newsflow.outputs.get(page.url), bare.outputs.get(page.url)
        print(
            f"{rank:>3}. -{delta} {page.lang:<3} {loss_kind(nf, tr, found.get(page.url)):<12} "
            f"nf {_words(nf_text):>5} w {nf.tp}/{len(page.with_)} with {nf.fp} without | "
            f"tr {_words(tr_text):>5} w {tr.tp}/{len(page.with_)} with {tr.fp} without"
        )
        print(f"     {page.url}")
        print(f"     file {page.file}")
        if page.url in newsflow.errors:
            print(f"     newsflow: {newsflow.errors[page.url]}")
        if page.url in found:
            print(f"     newsflow: {found[page.url]}")
        nf_norm, tr_norm = norm_page(nf_text), norm_page(tr_text)
        missed = [s for s in page.with_ if norm(s) in tr_norm and norm(s) not in nf_norm]
        leaked = [s for s in page.without if norm(s) in nf_norm and norm(s) not in tr_norm]
        if missed:
            print(f"     missed: {_show(missed)}")
        if leaked:
            print(f"     leaked: {_show(leaked)}")
        if nf_text and (nf.tp == 0 or leaked):
            print(f"     newsflow starts: {norm(nf_text)[:100]!r}")


def print_cjk(pages: list[Page], newsflow: System, bare: System) -> None:
    cjk = [p for p in pages if p.cjk]
    langs = Counter(p.lang for p in cjk)
    print(
        f"\nCJK pages (`with` snippets mostly Han/kana/Hangul): {len(cjk)} "
        f"({', '.join(f'{k} {v}' for k, v in langs.most_common()) or 'none'})"
    )
    if not cjk:
        return
    nf, tr = newsflow.pooled(cjk), bare.pooled(cjk)
    print(f"  newsflow    P R F1 empty: {_cells(nf)}")
    print(f"  trafilatura P R F1 empty: {_cells(tr)}")
    for page in cjk:
        text = newsflow.outputs.get(page.url)
        got = newsflow.errors.get(page.url) or f"{len(norm(text or ''))} chars"
        bare_text = bare.outputs.get(page.url)
        print(f"  {page.lang:<3} {page.url}")
        print(f"      newsflow: {got}; trafilatura: {len(norm(bare_text or ''))} chars")


def print_languages(pages: list[Page], newsflow: System) -> None:
    """Article.language against the page's language as this bench labels it (py3langid on
    its `with` snippets: a label, not a gold; the disagreements are listed to be read)."""
    landed = [p for p in pages if p.url in newsflow.meta]
    differ = [p for p in landed if newsflow.meta[p.url].get("language") != p.lang]
    share = 1 - len(differ) / len(landed) if landed else 0.0
    print(
        f"\nLanguage: Article.language equals the snippets' language on "
        f"{len(landed) - len(differ)} of {len(landed)} landed pages ({share:.3f})"
    )
    for page in differ:
        text = norm(newsflow.outputs.get(page.url) or "")[:70]
        got = newsflow.meta[page.url].get("language")
        print(f"  snippets {page.lang:<4} newsflow {got or '-':<4} {text!r}")


def dump_json(path: str, pages: list[Page], systems: list[System], found: dict) -> None:
    out = []
    for page in pages:
        row: dict[str, object] = {
            "url": page.url, "file": page.file, "lang": page.lang, "cjk": page.cjk,
            "with": len(page.with_), "without": len(page.without),
            "diagnosis": found.get(page.url),
        }  # fmt: skip
        for s in systems:
            c = asdict(s.scores[page.url])
            del c["pages"]
            c["words"] = _words(s.outputs.get(page.url))
            c["chars"] = len(norm(s.outputs.get(page.url) or ""))
            if page.url in s.errors:
                c["error"] = s.errors[page.url]
            if page.url in s.encodings:
                c["encoding"] = s.encodings[page.url]
            row[s.name] = c
        out.append(row)
    Path(path).write_text(json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"\nper-page results: {path}")


# ----------------------------------------------------------------------------- metadata

_GOLD_AUTHOR_SPLIT = re.compile(r"\s*(?:[,;&/]|\s(?:and|und|et)\s)\s*", re.I)
_EMAIL = re.compile(r"\S+@\S+\.\w+")
_URLISH = re.compile(r"^(?:https?://|www\.)|\.(?:com|de|org|net|fr|pl|es|it|uk|at|ch)\b", re.I)
_HANDLE = re.compile(r"^@\w+$")
_ID = re.compile(r"^[\d\W_]+$")


def loose(text: str) -> str:
    """Case-folded, punctuation and symbols dropped, whitespace normalised."""
    kept = "".join(" " if unicodedata.category(ch)[0] in "PSZ" else ch for ch in text.casefold())
    return norm(kept)


def gold_authors(gold: str) -> list[str]:
    """The gold's names, whitespace-normalised: a few carry a tab or a space at either end
    ('\tDennis Kochinky', 'Jessica DeFino '), which no extracted name contains."""
    return [name for a in _GOLD_AUTHOR_SPLIT.split(gold) if (name := norm(a))]


def page_host(url: str) -> str:
    """The host a page was saved from, without 'www.'."""
    from urllib.parse import urlsplit

    return (urlsplit(url).hostname or "").removeprefix("www.")


def junk_author(name: str, site_name: str | None, host: str) -> bool:
    """An e-mail, URL, handle, number-only id or the site's own name, not a person."""
    folded = name.casefold().strip()
    sites = {s for s in (site_name and site_name.casefold(), host, host.split(".")[0]) if s}
    return bool(
        _EMAIL.search(name) or _URLISH.search(name) or _HANDLE.match(name.strip())
        or _ID.match(name.strip()) or folded in sites
    )  # fmt: skip


@dataclass(slots=True)
class MetaCounts:
    titles: int = 0
    title_exact: int = 0
    title_loose: int = 0
    dates: int = 0
    date_day: int = 0
    date_near: int = 0  # within a day: the gold is the local day, newsflow stores UTC
    date_local: int = 0  # the same day in the page's own time zone
    date_either: int = 0  # the published or the modified day is the gold day
    authors: int = 0  # pages with a gold author
    author_found: int = 0
    author_given: int = 0  # pages with a gold author where an author was extracted
    author_wrong: int = 0  # of those, with a name the gold does not have ('Wuff', 'Stand')
    extracted: int = 0  # pages where an author was extracted
    junk: int = 0  # of those, with a junk author

    def add(self, other: MetaCounts) -> None:
        for name in self.__slots__:  # type: ignore[attr-defined]
            setattr(self, name, getattr(self, name) + getattr(other, name))


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def meta_score(page: Page, got: dict[str, object] | None) -> MetaCounts:
    """One page's metadata counts against its gold title, author and date."""
    got = got or {}
    c = MetaCounts()
    # In one Unicode form (NFC), as newsflow writes its text: the gold copied a decomposed
    # form from the markup on 1 page ('ড়' as 'ড' + nukta), the same text.
    gold_title = _nfc(norm(page.gold.get("title", "")))
    title = _nfc(norm(str(got.get("title") or "")))
    if gold_title:
        c.titles = 1
        c.title_exact = int(title == gold_title)
        c.title_loose = int(bool(title) and loose(title) == loose(gold_title))
    if gold_date := page.gold.get("date", "")[:10]:
        c.dates = 1
        published = got.get("published_at")
        c.date_day = int(published is not None and published.date().isoformat() == gold_date)
        try:
            gold_day = datetime.fromisoformat(gold_date)
        except ValueError:  # a few gold dates are not dates ('2022-25-10')
            gold_day = None
        c.date_near = int(
            published is not None
            and gold_day is not None
            and abs(published.replace(hour=0, minute=0, second=0, microsecond=0) - gold_day)
            <= timedelta(days=1)
        )
        offset = got.get("published_offset") or timedelta(0)
        days = {d + offset for d in (published, got.get("modified_at")) if d is not None}
        local = {d.date().isoformat() for d in days}
        c.date_local = int(
            published is not None and (published + offset).date().isoformat() == gold_date
        )
        c.date_either = int(gold_date in local)
    authors = [_nfc(str(a)) for a in (got.get("authors") or [])]
    if gold := _nfc(page.gold.get("author", "")):
        c.authors = 1
        joined = " ".join(authors).casefold()
        c.author_found = int(all(n.casefold() in joined for n in gold_authors(gold)))
        if authors:
            c.author_given = 1
            c.author_wrong = int(any(loose(a) not in loose(gold) for a in authors))
    if authors:
        c.extracted = 1
        host = page_host(page.url)
        site = got.get("site_name")
        # A blog named after its author ('Andreas Kalt') is its own site's name: not junk
        # where the gold names it.
        c.junk = int(
            any(junk_author(a, site, host) and not (gold and loose(a) in loose(gold))  # type: ignore[arg-type]
                for a in authors)
        )  # fmt: skip
    return c


def run_trafilatura_metadata(pages: list[Page]) -> System:
    """trafilatura.extract_metadata(html, default_url=url) in a one-core loop."""
    import trafilatura

    system = System("trafilatura")
    started = time.perf_counter()
    for page in pages:
        with open(page.path, "rb") as fh:
            html = fh.read()
        try:
            doc = trafilatura.extract_metadata(html, default_url=page.url)
        except Exception as exc:  # scored as nothing found
            system.errors[page.url] = f"{type(exc).__name__}: {exc}"
            continue
        if doc is None:
            continue
        from tasks.extract.dates import parse_datetime

        system.meta[page.url] = {
            "title": doc.title,
            # extract_metadata joins several authors with "; "
            "authors": [a.strip() for a in (doc.author or "").split(";") if a.strip()],
            "published_at": parse_datetime(doc.date),
            "site_name": doc.sitename,
        }
    system.seconds = time.perf_counter() - started
    return system


def _rate(n: int, d: int) -> str:
    return f"{n / d:6.3f}" if d else f"{'-':>6}"


def print_metadata_table(pages: list[Page], systems: list[System], title: str) -> None:
    """Per language: title exact / loose, date same day, authors found / with a name the gold
    lacks / junk, per system."""
    members: dict[str, list[Page]] = {}
    for page in pages:
        members.setdefault(page.group, []).append(page)
    order = sorted(members, key=lambda g: (g == "other", -len(members[g]), g))
    width = 69
    print(f"\n{title}")
    print(f"{'':<7}{'pages':>6}  " + "  ".join(f"{s.name[:width]:^{width}}" for s in systems))
    head = (
        f"{'title':>6} {'loose':>6} {'date':>6} {'±1day':>6} {'local':>6} {'p|m':>6} "
        f"{'author':>6} {'wrong':>6} {'junk':>6} {'n t/d/a':>8}"
    )
    print(f"{'lang':<7}{'':>6}  " + "  ".join(head for _ in systems))
    for group, group_pages in [(g, members[g]) for g in order] + [("all", pages)]:
        if group == "all":
            print("-" * (15 + (width + 2) * len(systems)))
        cells = []
        for s in systems:
            c = MetaCounts()
            for p in group_pages:
                c.add(meta_score(p, s.meta.get(p.url)))
            cells.append(
                f"{_rate(c.title_exact, c.titles)} {_rate(c.title_loose, c.titles)} "
                f"{_rate(c.date_day, c.dates)} {_rate(c.date_near, c.dates)} "
                f"{_rate(c.date_local, c.dates)} {_rate(c.date_either, c.dates)} "
                f"{_rate(c.author_found, c.authors)} {_rate(c.author_wrong, c.author_given)} "
                f"{_rate(c.junk, c.extracted)} {f'{c.titles}/{c.dates}/{c.authors}':>8}"
            )
        print(f"{group:<7}{len(group_pages):>6}  " + "  ".join(cells))


def print_metadata_misses(pages: list[Page], system: System, limit: int) -> None:
    """newsflow's wrong titles, dates and authors on the pages given (use dev pages only)."""
    for kind in ("title", "date", "author", "wrong", "junk"):
        shown = 0
        print(f"\nnewsflow {kind} misses (first {limit})")
        for page in pages:
            got = system.meta.get(page.url) or {}
            c = meta_score(page, got)
            miss = {
                "title": c.titles and not c.title_exact,
                "date": c.dates and not c.date_local,  # not a time zone's shift
                "author": c.authors and not c.author_found,
                "wrong": c.author_wrong,
                "junk": c.junk,
            }[kind]
            if not miss or shown >= limit:
                continue
            shown += 1
            dates = (got.get("published_at"), got.get("modified_at"))
            value = {"title": got.get("title"), "date": dates,
                     "author": got.get("authors"), "wrong": got.get("authors"),
                     "junk": got.get("authors")}[kind]  # fmt: skip
            gold = page.gold.get("author" if kind in ("wrong", "junk") else kind)
            print(f"  {page.file}: got {value!r} gold {gold!r}")


def add_offsets(pages: list[Page], system: System) -> None:
    """The UTC offset each page wrote its published date in (tasks.extract.metadata), for
    the "local" column: Article keeps UTC only. Read here, outside the timed run."""
    from tasks.extract.metadata import page_metadata

    for page in pages:
        got = system.meta.get(page.url)
        if got is not None:
            with open(page.path, "rb") as fh:
                got["published_offset"] = page_metadata(fh.read(), page.url).published_offset


def print_gold_on_page(pages: list[Page]) -> None:
    """How often the gold can be found at all: its title as written, its author names in
    any case, anywhere in the page's text or markup. An extractor that copies what the page
    says can score no higher (the rest: upper case a stylesheet gives, typos, cut titles)."""
    import html

    from tasks.extract.decode import decode

    print("\nThe gold on the page at all (a ceiling for any extractor that copies the page)")
    for split in ("dev", "held-out"):
        titles = found_titles = authors = found_authors = 0
        for page in (p for p in pages if p.split == split):
            with open(page.path, "rb") as fh:
                markup = html.unescape(decode(fh.read())[0]).replace("\\/", "/")
            text = norm(re.sub(r"<[^>]+>", " ", markup)) + "\n" + norm(markup)
            if title := norm(page.gold.get("title", "")):
                titles += 1
                found_titles += title in text
            if names := gold_authors(page.gold.get("author", "")):
                authors += 1
                folded = text.casefold()
                found_authors += all(n.casefold() in folded for n in names)
        print(
            f"  {split:<9} title as written {_rate(found_titles, titles)}   "
            f"author names {_rate(found_authors, authors)}"
        )


# What the author rules drop that the gold still names: desks, roles, agencies.
_GOLD_DESKS = frozenset(
    {"redaktion", "red", "agenturen", "staff", "editor", "editors", "online-redaktion",
     "newsroom", "admin", "team", "redacción", "rédaction", "pressestelle"}
)  # fmt: skip
_GOLD_ORGANISATION = re.compile(r"\b(?:GmbH|AG|SE|e\.\s?V\.?|Inc|Ltd|LLC)$")


def gold_person(name: str, host: str) -> bool:
    """Whether a gold author name is a person's, by the issue's rules: not a login
    ('damianduchamps', 'Marianne1', 'KleineGrüneMonster'), a desk or role ('Redaktion'), an
    organisation by its legal form ('Nordex SE') or the outlet ('SolarServer' on
    solarserver.de, 'Miami Today' on miamitodaynews.com), nor junk_author()."""
    if junk_author(name, None, host) or name.casefold() in _GOLD_DESKS:
        return False
    if _GOLD_ORGANISATION.search(name) or any(ch.isdigit() for ch in name):
        return False
    if " " not in name and (name.islower() or any(ch.isupper() for ch in name[1:])):
        return False  # a login: all lower case, or capitals inside one word
    key = re.sub(r"[\W_]+", "", name.casefold())
    return not (len(key) >= 3 and key in re.sub(r"[\W_]+", "", host.casefold()))


def print_people_only(pages: list[Page], systems: list[System]) -> None:
    """Authors found on the pages whose gold names people only (gold_person()): the part
    of the author goal an extractor that keeps to the issue's rules can reach."""
    print(
        "\nAuthors found where the gold names people only (no login, desk, organisation or outlet)"
    )
    for split in ("dev", "held-out"):
        chosen = []
        for page in (p for p in pages if p.split == split):
            host = page_host(page.url)
            names = gold_authors(page.gold.get("author", ""))
            if names and all(gold_person(n, host) for n in names):
                chosen.append(page)
        found = {
            system.name: sum(meta_score(p, system.meta.get(p.url)).author_found for p in chosen)
            for system in systems
        }
        rates = "   ".join(f"{name} {_rate(n, len(chosen))}" for name, n in found.items())
        print(f"  {split:<9} {len(chosen)} pages   {rates}")


def run_metadata(args: argparse.Namespace, pages: list[Page]) -> None:
    pages = [p for p in pages if "title" in p.gold]
    newsflow, _, _ = run_newsflow(pages)
    print(f"  ran newsflow ({newsflow.seconds:.1f} s)", flush=True)
    add_offsets(pages, newsflow)
    bare = run_trafilatura_metadata(pages)
    print(f"  ran trafilatura.extract_metadata ({bare.seconds:.1f} s)", flush=True)
    for split in ("dev", "held-out"):
        if args.split in (split, "both"):
            chosen = [p for p in pages if p.split == split]
            print_metadata_table(
                chosen, [newsflow, bare], f"Metadata, {split} pages: newsflow vs trafilatura "
                "(n t/d/a: pages with a gold title / date / author)",
            )  # fmt: skip
    if args.split == "all":
        print_metadata_table(pages, [newsflow, bare], "Metadata, all pages")
    print_gold_on_page(pages)
    print_people_only(pages, [newsflow, bare])
    if args.misses:
        dev = [p for p in pages if p.split == "dev"]
        print_metadata_misses(dev, newsflow, args.misses)


# --------------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the .tar.xz")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="unpack here")
    parser.add_argument("--limit", type=int, help="the first N pages (after --lang)")
    parser.add_argument("--lang", help="only pages in this language (e.g. de, en, other)")
    parser.add_argument("--json", help="write per-page results to this file")
    parser.add_argument(
        "--no-variants", action="store_true", help="skip favor_precision / favor_recall"
    )
    parser.add_argument(
        "--flow",
        action="store_true",
        help="also run the ingest_files flow (every stage): its marginal rate against the bare "
        f"loop and its fixed in-flow cost (a {FLOW_SMALL}-page run beside the full one)",
    )
    parser.add_argument(
        "--flow-repeats", type=int, default=3, help="--flow: pairs of flow runs (default 3)"
    )
    parser.add_argument(
        "--metadata", action="store_true", help="title, date and author scores instead of body"
    )
    parser.add_argument("--split", choices=("both", "dev", "held-out", "all"), default="both")
    parser.add_argument("--misses", type=int, default=0, help="--metadata: list N dev misses")
    parser.add_argument(
        "--warm-sample", type=int, default=100, help="pages for the steady-state CPU (0: skip)"
    )
    args = parser.parse_args()
    if not args.data.is_file():
        sys.exit(f"no evaluation archive at {args.data} (give --data)")
    # Before anything imports Prefect (flows.runs does): a throw-away home, quiet logs.
    home = tempfile.mkdtemp(prefix="newsflow-bench-prefect-")
    os.environ.setdefault("PREFECT_HOME", home)
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    try:
        run(args)
    finally:
        shutil.rmtree(home, ignore_errors=True)


def run(args: argparse.Namespace) -> None:
    """Load the pages, run every system on them, print the figures."""
    from tasks.extract.pool import prestart

    # As `newsflow ingest` does: the workers' fork server warms up while we load the corpus.
    prestart()
    # Extractors warn about odd pages on stderr; the figures are what this prints.
    for name in ("trafilatura", "htmldate", "courlan", "charset_normalizer", "readability"):
        logging.getLogger(name).setLevel(logging.CRITICAL)

    pages = load_pages(unpack(args.data, args.cache))
    set_groups(pages)
    if args.lang:
        pages = [p for p in pages if args.lang in (p.lang, p.group)]
    if args.limit:
        pages = pages[: args.limit]
    if not pages:
        sys.exit("no pages match")
    if args.metadata:
        run_metadata(args, pages)
        return
    langs = Counter(p.lang for p in pages)
    load = os.getloadavg()[0]
    print(f"pages: {len(pages)} ({', '.join(f'{k} {v}' for k, v in langs.most_common(8))}, ...)")
    print(f"cores: {_cores()}, load average before: {load:.2f}", flush=True)

    newsflow, titled, reasons = run_newsflow(pages)
    print(f"  ran newsflow ({newsflow.seconds:.1f} s)", flush=True)
    systems = [newsflow, run_trafilatura(pages, "trafilatura")]
    print(f"  ran trafilatura ({systems[1].seconds:.1f} s)", flush=True)
    if not args.no_variants:
        for option in ("favor_precision", "favor_recall"):
            systems.append(run_trafilatura(pages, f"trafilatura {option}", **{option: True}))
            print(f"  ran trafilatura {option} ({systems[-1].seconds:.1f} s)", flush=True)
    warm = warm_cpu(pages, args.warm_sample) if args.warm_sample else None
    times = print_times(pages, systems, warm)
    times.append(("load average after the timed runs", f"{os.getloadavg()[0]:.2f}"))
    if args.flow:
        times += run_flow(pages, len(pages) / systems[1].seconds, args.flow_repeats)
    for s in [*systems, titled]:
        s.score_all(pages)

    print_language_table(pages, systems[:2], "Body by language: newsflow (Article.text) vs bare "
                         "trafilatura.extract defaults")  # fmt: skip
    variants = [titled, *systems[2:]]
    title = "Variants: newsflow title+text, trafilatura favor_precision / favor_recall"
    print_language_table(pages, [newsflow, *variants], title, gap_column=False)
    print_overall(pages, [*systems, titled])
    print("\nTime (same pages, same run; the machine is shared, so rates are noisy)")
    print_rows(times)
    print(f"\nnewsflow pages with no article: {sum(reasons.values())}")
    for reason, n in reasons.most_common():
        print(f"  {n:4d}  {reason}")
    print_cjk(pages, newsflow, systems[1])
    print_languages(pages, newsflow)
    found = {p.url: d for p in pages if (d := diagnose(p, newsflow))}
    print_diagnoses(pages, newsflow, systems[1], found)
    print_losses(pages, newsflow, systems[1], found)
    if args.json:
        dump_json(args.json, pages, [*systems, titled], found)


if __name__ == "__main__":
    main()
