"""Imported by the extraction pool's fork server only: every worker forked from it starts
with what the extraction loads on first use already loaded, instead of paying for it on its
first pages (bench/extraction_real.py: "pool CPU beyond steady state, per worker").

- the enrichment models and data (py3langid's model alone takes 0.7 s);
- the date parser's locales: trafilatura's date finder (htmldate) falls back to dateparser,
  which loads every locale on its first use, 1.6 s of CPU;
- jusText's stop words of every language (trafilatura's fallback, 0.18 s);
- the word frequencies of the story terms (English 0.3 s; Chinese, Japanese and Korean
  0.33 s, loaded on a worker's first page with a CJK character before);
- whatever else one page through every step (fast extraction, the fallback cascade,
  htmldate's search, the byline search) compiles on first use: measured on 150 real pages,
  a worker's first pass cost 0.4-1.0 s more CPU than its second before this page was
  extracted here, 0.1-0.2 s after.
"""

import gc

from htmldate.extractors import get_external_parser, month_words
from trafilatura.external import jt_stoplist_init

from tasks.enrich.annotate import warm_up
from tasks.extract.document import extract_raw
from tasks.extract.read import RawDoc
from tasks.models import SourceItem
from tasks.relate.stories import load_lexicons

# Short (the fallback cascade runs), no declared date or author (htmldate and the byline
# search run), a menu and a teaser (the pruning rules fire).
_PAGE = """<!DOCTYPE html><html lang="de"><head><title>Probe | Beispiel</title></head><body>
<nav><ul><li><a href="/">Start</a></li><li><a href="/politik">Politik</a></li></ul></nav>
<article><h1>Probe</h1><p class="byline">Von Erika Mustermann</p>
<p>Am 3. Mai 2024 sagte die Ministerin in Berlin, die Zahl der Anträge sei um 12 Prozent
gestiegen. Die Opposition kritisierte die Pläne der Regierung scharf.</p>
<p>The minister said on Friday that 1,500 applications had arrived since March.</p></article>
<aside class="teaser"><a href="/x">Lesen Sie auch: Ein anderer Artikel</a></aside>
<footer>Impressum | Datenschutz</footer></body></html>""".encode()

warm_up()
get_external_parser().get_date_data("vor 3 Tagen aktualisiert")
month_words()
jt_stoplist_init()
load_lexicons()
_ITEM = SourceItem("file", "warm-up.html", "warm-up.html", len(_PAGE), 0)
extract_raw(RawDoc(_ITEM, _PAGE, "", len(_PAGE), "html"))

# Everything loaded by now (~190,000 objects: models, word lists, modules) lives as long as
# the workers forked from here. Frozen, the collector no longer walks it, and with a larger
# first generation it runs ~once per 200 pages instead of ~1.5 times a page (a page's
# garbage is freed by reference counting; what cycles it leaves waits a little longer).
# Collector time in a warm process, 200 real pages (bench/extraction_real.py's), counted by
# gc.callbacks: 0.85-1.0 ms a page before, 0.09-0.12 after; frozen alone, 0.35.
gc.freeze()
gc.set_threshold(10_000, 10, 10)
