"""What chose MAX_CLAIMS and MAX_ENTITIES (tasks/enrich/annotate.py), and what a claim-heavy
document costs with them.

    python bench/enrichment_caps.py

1. Claims and entities per article over the BBC corpus (../shared/data/bbc-fulltext.zip),
   on the text the cleaner keeps: median, p90, p99, p99.9, max, and claims per 1,000 words.
2. Seconds for one generated document of numeric claims ("Officials said 1,000 troops were
   sent to the border.", one per line): enrich() and the whole per-file worker step
   (extract_item), at 40,000 claims (2.2 MB) and at the 20 MB file-size cap; and for as
   much English text full of numbers that are not claims ("Officials said the figure was
   1,000 and not 1,001 as reported."): the claim finder must judge every one of them.
"""

from __future__ import annotations

import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tasks.enrich.annotate import MAX_CLAIMS, MAX_ENTITIES, enrich, warm_up
from tasks.enrich.claims import find_claims
from tasks.enrich.entities import find_entities
from tasks.extract.clean_text import clean_text
from tasks.extract.document import extract_item
from tasks.extract.read import MAX_BYTES
from tasks.models import SourceItem

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "data" / "bbc-fulltext.zip"


def percentiles(values: list[float]) -> str:
    s = sorted(values)
    picks = {"median": 50, "p90": 90, "p99": 99, "p99.9": 99.9}
    parts = [f"{k} {s[min(len(s) - 1, int(p / 100 * len(s)))]:g}" for k, p in picks.items()]
    return ", ".join([*parts, f"max {s[-1]:g}"])


def corpus() -> None:
    claims, entities, density, words = [], [], [], []
    with zipfile.ZipFile(CORPUS) as z:
        names = [n for n in z.namelist() if n.endswith(".txt")]
        for name in names:
            cleaned = clean_text(z.read(name).decode("latin-1"))
            n = len(find_claims(cleaned.text))
            w = len(cleaned.text.split())
            claims.append(n)
            entities.append(len(find_entities(cleaned.title, cleaned.text)))
            words.append(w)
            density.append(round(1000 * n / max(w, 1), 1))
    print(f"BBC corpus, {len(names):,} articles")
    print(f"  claims per article:      {percentiles(claims)}")
    print(f"  claims per 1,000 words:  {percentiles(density)}")
    print(f"  entities per article:    {percentiles(entities)}")
    print(f"  words per article:       {percentiles(words)}")
    print(f"  caps: MAX_CLAIMS {MAX_CLAIMS:,}, MAX_ENTITIES {MAX_ENTITIES:,}")


def claim_heavy(n: int) -> str:
    lines = (f"Officials said {1000 + i:,} troops were sent to the border." for i in range(n))
    return "Troop numbers at the border\n\n" + "\n".join(lines)


def giant(label: str, text: str) -> None:
    started = time.perf_counter()
    found = enrich("Troop numbers", text)
    enrich_s = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "claims.txt"
        path.write_text(text, encoding="utf-8")
        started = time.perf_counter()
        article = extract_item(SourceItem("file", str(path), str(path), 0, 0))
        extract_s = time.perf_counter() - started
    kept = len(getattr(article, "claims", []))
    print(
        f"  {label}: {len(text) / 1e6:.1f} MB, {len(found.claims):,} claims kept; enrich "
        f"{enrich_s:.1f} s, extract_item {extract_s:.1f} s ({kept:,} claims on the article)"
    )


if __name__ == "__main__":
    corpus()
    print("Claim-heavy documents (one core)")
    warm_up()
    giant("40,000 claims", claim_heavy(40_000))
    # Lines of about 60 bytes: as many as fit under the cap on a file's size.
    giant("file-size cap", claim_heavy(MAX_BYTES // 62))
    lines = (
        f"Officials said the figure was {1000 + i:,} and not {1001 + i:,} as reported."
        for i in range(MAX_BYTES // 80)
    )
    giant("bare numbers", "Figures\n\n" + "\n".join(lines))
