"""Serve the ingest flows with schedules from one process (no work pool needed).

    prefect server start &                          # the UI, on http://127.0.0.1:4200
    export PREFECT_API_URL=http://127.0.0.1:4200/api
    python deployments/serve.py                     # Ctrl-C to stop

Schedules and paths come from the environment, so nothing here needs editing:
NEWSFLOW_INBOX (folder to ingest, default ./inbox), NEWSFLOW_INBOX_EVERY (seconds, default 60),
NEWSFLOW_WAREHOUSE (the DuckDB file).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    from prefect import serve

    from flows.ingest import ingest_files, ingest_seeds

    inbox = os.environ.get("NEWSFLOW_INBOX", "inbox")
    Path(inbox).mkdir(parents=True, exist_ok=True)
    every = int(os.environ.get("NEWSFLOW_INBOX_EVERY", "60"))
    warehouse = os.environ.get("NEWSFLOW_WAREHOUSE")
    serve(
        ingest_files.to_deployment(
            name="inbox",
            interval=every,
            parameters={"paths": [str(Path(inbox).resolve())], "warehouse": warehouse},
            description=f"Land new files dropped into {inbox} every {every} s.",
        ),
        ingest_seeds.to_deployment(
            name="seeds",
            parameters={"warehouse": warehouse},
            description="Land the five seed articles (run on demand from the UI).",
        ),
    )


if __name__ == "__main__":
    main()
