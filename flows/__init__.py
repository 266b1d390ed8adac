"""Prefect flows (one module per kind of run) and the `newsflow` command line."""
