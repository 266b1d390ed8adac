"""Which trafilatura options should the pipeline use? Speed and word-level accuracy per set.

Builds synthetic news pages (bench/pages.py), runs each option set over all of them on one
core, and scores the text against the ground-truth body with bag-of-words precision/recall
(lowercased \\w+ tokens, multiset overlap, micro-averaged over pages).

    python bench/extraction_options.py [--n 300] [--seed 7]
"""

from __future__ import annotations

import argparse
import gc
import os
import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import trafilatura

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.pages import BOILERPLATE_MARKERS, Page, build_pages

OPTION_SETS: list[tuple[str, dict[str, bool]]] = [
    ("default", {}),
    ("fast", {"fast": True}),
    ("favor_precision", {"favor_precision": True}),
    ("favor_recall", {"favor_recall": True}),
    ("no_tables", {"include_tables": False}),
    ("no_comments", {"include_comments": False}),
    ("no_comments+no_tables", {"include_comments": False, "include_tables": False}),
    ("no_comments+fast", {"include_comments": False, "fast": True}),
    ("no_comments+precision", {"include_comments": False, "favor_precision": True}),
    # not in the original list: the two clear wins combined with the cheaper code path
    (
        "no_comments+no_tables+fast",
        {"include_comments": False, "include_tables": False, "fast": True},
    ),
]
F1_TOLERANCE = 0.005  # sets this close to the best F1 count as equally good; speed decides
TOKEN = re.compile(r"\w+")


@dataclass
class Result:
    name: str
    seconds: float = 0.0
    pages: int = 0
    overlap: int = 0
    extracted: int = 0
    truth: int = 0
    none: int = 0
    low_recall: int = 0
    title_first: int = 0
    leaky: int = 0  # pages with any boilerplate marker in the text
    leaks: Counter[str] = field(default_factory=Counter)  # leak kind -> pages
    site_f1: dict[str, list[int]] = field(default_factory=dict)  # site -> [overlap, ext, truth]
    title_ok: int | None = None
    date_ok: int | None = None
    misses: list[str] = field(default_factory=list)  # a few metadata mismatches to eyeball

    @property
    def precision(self) -> float:
        return self.overlap / self.extracted if self.extracted else 0.0

    @property
    def recall(self) -> float:
        return self.overlap / self.truth if self.truth else 0.0

    @property
    def f1(self) -> float:
        return _f1(self.overlap, self.extracted, self.truth)

    @property
    def pages_per_s(self) -> float:
        return self.pages / self.seconds if self.seconds else 0.0


def _f1(overlap: int, extracted: int, truth: int) -> float:
    return 2 * overlap / (extracted + truth) if extracted + truth else 0.0


def tokens(text: str) -> Counter[str]:
    return Counter(TOKEN.findall(text.lower()))


def _squash(text: str) -> str:
    return " ".join(text.split())


def clean(text: str | None, title: str) -> tuple[str, bool]:
    """Text as the pipeline would store it, and whether the title was its first line."""
    if not text:
        return "", False
    if text.startswith("---\n"):  # with_metadata=True prepends a YAML header in txt output
        end = text.find("\n---\n", 3)
        text = text[end + 5 :] if end != -1 else text
    first, _, rest = text.partition("\n")
    if _squash(first) == _squash(title):
        return rest, True
    return text, False


def score(result: Result, pages: list[Page], texts: list[str | None]) -> None:
    for page, raw in zip(pages, texts, strict=True):
        text, title_first = clean(raw, page.title)
        got, want = tokens(text), tokens(page.body)
        overlap = sum((got & want).values())
        ext, tru = sum(got.values()), sum(want.values())
        result.overlap += overlap
        result.extracted += ext
        result.truth += tru
        result.none += raw is None
        result.low_recall += overlap < 0.5 * tru
        result.title_first += title_first
        site = result.site_f1.setdefault(page.path.stem.split("-", 1)[1], [0, 0, 0])
        site[0], site[1], site[2] = site[0] + overlap, site[1] + ext, site[2] + tru
        flat, body = _squash(text), _squash(page.body)
        kinds = [
            k
            for k, markers in BOILERPLATE_MARKERS.items()
            if any(m in flat and m not in body for m in markers)
        ]
        if _squash(page.title) in flat:
            kinds.append("headline in text")
        result.leaks.update(kinds)
        result.leaky += bool(kinds)


def timed(name: str, htmls: list[str], fn: Callable[[str], Any]) -> tuple[Result, list[Any]]:
    for html in htmls[:5]:  # warm lazy imports and caches outside the clock
        fn(html)
    gc.collect()
    outputs, t0 = [], time.perf_counter()
    for html in htmls:
        outputs.append(fn(html))
    return Result(name, time.perf_counter() - t0, len(htmls)), outputs


def run_extract(name: str, pages: list[Page], htmls: list[str], **options: Any) -> Result:
    result, texts = timed(name, htmls, lambda h: trafilatura.extract(h, **options))
    score(result, pages, texts)
    return result


def run_bare(name: str, pages: list[Page], htmls: list[str], **options: Any) -> Result:
    def fn(h: str) -> Any:
        return trafilatura.bare_extraction(h, with_metadata=True, **options)

    result, docs = timed(name, htmls, fn)
    texts = []
    result.title_ok = result.date_ok = 0
    for page, doc in zip(pages, docs, strict=True):
        if doc is None:
            texts.append(None)
            continue
        body = doc.text or ""
        if options.get("include_comments", True) and doc.comments:
            body = f"{body}\n{doc.comments}"  # extract() appends comments the same way
        texts.append(body)
        title_ok = _squash(doc.title or "") == _squash(page.title)
        result.title_ok += title_ok
        result.date_ok += doc.date == page.published
        if not title_ok and len(result.misses) < 5:
            result.misses.append(f"title {page.path.name}: got {doc.title!r}, want {page.title!r}")
        if doc.date != page.published and len(result.misses) < 5:
            result.misses.append(f"date {page.path.name}: got {doc.date}, want {page.published}")
    score(result, pages, texts)
    return result


def pin_one_core() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


def print_table(results: list[Result]) -> None:
    w = max(len(r.name) for r in results)
    head = f"{'option set':<{w}} {'pages/s':>7} {'ms/pg':>6} {'prec':>6} {'recall':>6} {'F1':>6}"
    print(f"{head} {'None':>4} {'R<50%':>5} {'title1st':>8} {'leaky':>5}")
    print("-" * (w + 54))
    for r in sorted(results, key=lambda r: (-r.f1, -r.pages_per_s)):
        print(
            f"{r.name:<{w}} {r.pages_per_s:>7.1f} {1000 / r.pages_per_s:>6.1f} "
            f"{r.precision:>6.3f} {r.recall:>6.3f} {r.f1:>6.3f} {r.none:>4} {r.low_recall:>5} "
            f"{r.title_first:>8} {r.leaky:>5}"
        )


def print_leaks(results: list[Result], n: int) -> None:
    print(f"\nBoilerplate leaks (pages out of {n} whose text contains the marker):")
    for r in results:
        kinds = ", ".join(f"{k} {v}" for k, v in r.leaks.most_common()) or "none"
        print(f"  {r.name}: {kinds}")


def print_sites(results: list[Result]) -> None:
    sites = sorted(results[0].site_f1)
    print(f"\nF1 by site: {'':<20}" + "".join(f"{r.name:>28}" for r in results))
    for site in sites:
        cells = "".join(f"{_f1(*r.site_f1[site]):>28.3f}" for r in results)
        print(f"  {site:<30}{cells}")


def main() -> None:
    parser = argparse.ArgumentParser(description="Compare trafilatura option sets.")
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    pin_one_core()

    with tempfile.TemporaryDirectory(prefix="newsflow-bench-") as tmp:
        pages = build_pages(Path(tmp), n=args.n, seed=args.seed)
        htmls = [p.path.read_text(encoding="utf-8") for p in pages]
    mean_kb = sum(len(h.encode()) for h in htmls) / len(htmls) / 1000
    print(
        f"{len(pages)} pages, mean {mean_kb:.0f} KB, trafilatura {trafilatura.__version__}, "
        f"1 core\n"
    )

    results = []
    for name, options in OPTION_SETS:
        results.append(run_extract(name, pages, htmls, **options))
        print(f"  ran {name}", flush=True)
    by_name = {r.name: r for r in results}
    best = max(results, key=lambda r: r.f1)
    good = [r for r in results if r.f1 >= best.f1 - F1_TOLERANCE]
    pick = max(good, key=lambda r: r.pages_per_s)
    options = dict(OPTION_SETS)

    for name in dict.fromkeys(["default", best.name, pick.name]):
        label = f"{name} +with_metadata"
        results.append(run_extract(label, pages, htmls, with_metadata=True, **options[name]))
        print(f"  ran {label}", flush=True)
    bare = run_bare(
        f"bare_extraction {pick.name} +with_metadata", pages, htmls, **options[pick.name]
    )
    results.append(bare)

    print()
    print_table(results)
    print_leaks([by_name["default"], pick], len(pages))
    print_sites([by_name["default"], pick])
    n = len(pages)
    print(
        f"\nbare_extraction metadata: title {bare.title_ok}/{n} exact, "
        f"date {bare.date_ok}/{n} exact"
    )
    for miss in bare.misses:
        print(f"  miss: {miss}")
    meta = next(r for r in results if r.name == f"{pick.name} +with_metadata")
    cost = 100 * (pick.pages_per_s / meta.pages_per_s - 1)
    print(
        f"\nRecommendation: {pick.name} {options[pick.name] or '(no options)'}: "
        f"F1 {pick.f1:.3f} vs default {by_name['default'].f1:.3f}, "
        f"{pick.pages_per_s:.0f} pages/s vs {by_name['default'].pages_per_s:.0f}; "
        f"metadata costs {cost:.0f}% more time."
    )


if __name__ == "__main__":
    main()
