"""Pipeline stages, one subpackage each (sources, extract, relate, enrich) plus landing:
plain functions over batches, free of Prefect except the thin @task wrappers."""
