"""Pipeline stages: each module is one stage, pure functions over batches plus a thin @task."""
