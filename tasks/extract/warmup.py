"""Imported by the extraction pool's fork server only: every worker forked from it starts
with the enrichment models and data loaded (py3langid's model alone takes 0.7 s), and with
the date parser's locales: trafilatura's date finder (htmldate) falls back to dateparser,
which loads every locale on its first use, 1.6 s of CPU that each worker paid on its first
pages (bench/extraction_real.py: "pool CPU beyond steady state, per worker")."""

from htmldate.extractors import get_external_parser, month_words

from tasks.enrich.annotate import warm_up

warm_up()
get_external_parser().get_date_data("vor 3 Tagen aktualisiert")
month_words()
