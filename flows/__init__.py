"""Prefect flows (one module per kind of run) and the `newsflow` command line."""

import os

# Before Prefect is imported: newsflow's own log lines (e.g. "waiting for the warehouse lock")
# go to the Prefect UI with the run's, not only to the terminal.
os.environ.setdefault("PREFECT_LOGGING_EXTRA_LOGGERS", "newsflow")
