"""Imported by the extraction pool's fork server only: every worker forked from it starts
with the enrichment models and data loaded (py3langid's model alone takes 0.7 s)."""

from tasks.enrich.annotate import warm_up

warm_up()
