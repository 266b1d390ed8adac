"""What writing every insert to Parquet costs a lake (warehouse/lake.py INLINING_ROW_LIMIT = 0,
chosen because DuckLake's data inlining lost rows; docs/scale-out.md): the same articles landed
with tasks.land.land_batch into a lake with inlining off and one with DuckLake's default (10),
in batches of 10 and of 200. Prints the landing time per batch, the Parquet files under the
data path, the catalog database's size, and the files after lake maintenance (CHECKPOINT).

    python bench/lake_inlining.py [--articles 300]

Real and throwaway: a PostgreSQL cluster from tests/pg.py, data in a temp folder.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.dedup_scale import _init, make_articles, sentences  # noqa: E402
from bench.report import print_rows  # noqa: E402


def land(pg, name: str, articles: list, batch: int, limit: int) -> dict:
    import psycopg

    from tasks.land import Batch, land_batch
    from warehouse import lake as lakes
    from warehouse import store

    lakes.INLINING_ROW_LIMIT = limit
    dsn = pg.database(name)
    data = Path(tempfile.mkdtemp(prefix="inlining-")) / "data"
    os.environ["NEWSFLOW_LAKE_DATA_PATH"] = str(data)
    lake = f"ducklake:postgres:{dsn}"
    with store.connect(lake):
        pass  # migrated before the clock starts
    started = time.perf_counter()
    for i in range(0, len(articles), batch):
        land_batch(lake, "bench", Batch(articles=articles[i : i + batch]))
    elapsed = time.perf_counter() - started
    files = len(list(data.rglob("*.parquet")))
    with psycopg.connect(dsn) as pgc:
        (size,) = pgc.execute("SELECT pg_database_size(current_database())").fetchone()
    with store.connect(lake, read_only=True) as con:
        (landed,) = con.execute("SELECT count(*) FROM articles").fetchone()
    store.maintain_lake(lake, timedelta(days=7))
    return {
        "inlining": limit, "batch": batch, "articles": landed,
        "ms_per_batch": round(1000 * elapsed / -(-len(articles) // batch)),
        "parquet_files": files, "after_maintenance": len(list(data.rglob("*.parquet"))),
        "catalog_mb": round(size / 2**20, 1),
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=300)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "tests"))
    from pg import LocalPostgres

    _init(sentences())
    articles = make_articles((0, args.articles, 7))
    rows = []
    with LocalPostgres() as pg:
        for n, (batch, limit) in enumerate([(10, 10), (10, 0), (200, 10), (200, 0)]):
            rows.append(land(pg, f"lake{n}", articles, batch, limit))
    print_rows([
        (f"inlining {r['inlining']:>2}, batches of {r['batch']}",
         f"{r['ms_per_batch']} ms a batch, {r['articles']} articles, {r['parquet_files']} "
         f"Parquet files ({r['after_maintenance']} after maintenance), catalog "
         f"{r['catalog_mb']} MB")
        for r in rows
    ])  # fmt: skip


if __name__ == "__main__":
    main()
