"""Numeric claims (tasks/enrich/claims.py): speed on BBC articles, the seeds' troop figures, and a
sample of BBC claims to check by hand.

    python bench/claims_eval.py [--sample 30] [--seed 1] [--repeat 3]

Speed: `find_claims` over every article body of the BBC full-text zip (bench/pages.py finds
it; NEWSFLOW_BBC_ZIP overrides; 2,225 articles, ~380 words each), best of `--repeat` passes
on one core. The target is 2,000 articles/s: the extraction worker runs it on every article.

Seeds: each seeds/*.txt through the pipeline's text cleaner (tasks/extract/clean_text.py, as the
extractor does for text files), then the claims whose unit is "troops", with the date the
cleaner found. The issue's acceptance: 1,500 / 3,000 / 10,000 / 12,000 with their
qualifiers, and nothing from the boilerplate the cleaner removes (checked by running the
raw files too and listing any claim whose sentence is not in the cleaned text).

Sample: `--sample` claims drawn with a fixed seed from all BBC claims, each with its
sentence, for a hand check of precision (a claim is correct when value, qualifier and unit
are what the sentence says). Hand checks when this was written, 30 claims each: seed 1
(the default) 28 before the fixes it prompted ("square metres", "one or two"), 30 after;
then fresh samples, each checked before fixing what it showed: seed 7 29 (miss: "held
above 50 shows", a verb read as the noun), seed 8 28 (pence and cents not divided by 100,
since fixed), seed 9 28 (a proposed "50% tax rate" called a projection; "£35 bn" with a
space, since fixed). Fresh total 85/90 (94%).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.pages import load_corpus
from bench.report import print_rows
from tasks.enrich.claims import Claim, find_claims
from tasks.extract.clean_text import clean_text

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
THROUGHPUT_TARGET = 2_000  # articles/s on one core (the figure)


def _fmt_value(c: Claim) -> str:
    value = f"{c.value:,.10g}"
    return f"{value}-{c.value_high:,.10g}" if c.value_high is not None else value


def _describe(c: Claim) -> str:
    horizon = f" {c.horizon}" if c.horizon else ""
    return f"{_fmt_value(c)} {c.qualifier} {c.unit}{horizon} | {c.text!r}"


def _context(c: Claim, width: int = 160) -> str:
    """The claim's sentence, cut to `width` characters around the claim."""
    s = " ".join(c.sentence.split())
    i = max(0, s.find(" ".join(c.text.split())))
    start = max(0, min(i - width // 3, len(s) - width))
    out = s[start : start + width]
    return ("…" if start else "") + out + ("…" if start + width < len(s) else "")


def speed(texts: list[str], repeat: int) -> list[tuple[str, str]]:
    best = float("inf")
    claims = 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        claims = sum(len(find_claims(t)) for t in texts)
        best = min(best, time.perf_counter() - t0)
    rate = len(texts) / best
    words = sum(len(t.split()) for t in texts) / len(texts)
    verdict = "ok" if rate >= THROUGHPUT_TARGET else "BELOW TARGET"
    each = best / len(texts) * 1e6
    return [
        ("BBC articles", f"{len(texts):,} (mean {words:.0f} words)"),
        ("claims found", f"{claims:,} ({claims / len(texts):.1f} per article)"),
        (f"speed (best of {repeat})", f"{rate:,.0f} articles/s, {each:.0f} µs each"),
        ("target", f"{THROUGHPUT_TARGET:,} articles/s: {verdict}"),
    ]


def seed_rows() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(troop claims per seed file, claims found only in the raw files' boilerplate)."""
    troops: list[tuple[str, str]] = []
    leaks: list[tuple[str, str]] = []
    for path in sorted(SEEDS.glob("*.txt")):
        raw = path.read_text(encoding="utf-8")
        cleaned = clean_text(raw)
        day = cleaned.published_at.date().isoformat() if cleaned.published_at else "no date"
        for c in find_claims(cleaned.text):
            if c.unit == "troops":
                troops.append((f"{path.name} ({day})", _describe(c)))
        for c in find_claims(raw):
            if c.sentence not in cleaned.text:
                leaks.append((path.name, _describe(c)))
    return troops, leaks


def sample_rows(texts: list[str], n: int, seed: int) -> list[tuple[str, str]]:
    found = [(i, c) for i, t in enumerate(texts) for c in find_claims(t)]
    rows = []
    for k, (i, c) in enumerate(random.Random(seed).sample(found, min(n, len(found))), 1):
        rows.append((f"{k:2d}. article {i}", _describe(c)))
        rows.append(("", f"    {_context(c)}"))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sample", type=int, default=30, help="BBC claims to list")
    parser.add_argument("--seed", type=int, default=1, help="seed for the sample")
    parser.add_argument("--repeat", type=int, default=3, help="timed passes over the corpus")
    args = parser.parse_args()

    texts = ["\n".join(a.paragraphs) for a in load_corpus()]
    print("== speed")
    print_rows(speed(texts, args.repeat))
    troops, leaks = seed_rows()
    print("\n== seeds: troop claims (file, cleaner's date: value qualifier unit horizon | text)")
    print_rows(troops or [("none", "")])
    print("\n== seeds: claims from boilerplate the cleaner removes")
    print_rows(leaks or [("none", "")])
    print(f"\n== sample of {args.sample} BBC claims (seed {args.seed}) for a hand check")
    print_rows(sample_rows(texts, args.sample, args.seed))


if __name__ == "__main__":
    main()
