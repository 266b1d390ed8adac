"""The README's first command as a newcomer meets it, and what a re-run costs (issue 10).

Each case runs `newsflow ingest seeds` as a subprocess, in a temporary folder with a fresh
PREFECT_HOME and a fresh warehouse, and prints its wall time and exit status:

  (a) every core saturated by busy loops, no server: the first run must still succeed
      (Prefect's temporary server needed 21-33 s here; Prefect allows it 20 s by default);
  (b) no load, no server: the first run and a no-change re-run, each starting a temporary
      server;
  (c) `prefect server start --background --analytics-off` once: the first run and no-change
      re-runs, found by the CLI itself (no setting), and with PREFECT_API_URL pointing at it.

    python bench/first_run.py [--rounds N]

The machine's load average is printed too: other work on it shows in every figure.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SEEDS = ROOT / "seeds"
BUSY_LIMIT_S = 180.0  # a busy loop stops itself after this, even if this script dies


def _spin(seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        pass


@contextmanager
def cpu_saturated(processes: int) -> Iterator[None]:
    spinners = [
        multiprocessing.Process(target=_spin, args=(BUSY_LIMIT_S,), daemon=True)
        for _ in range(processes)
    ]
    for p in spinners:
        p.start()
    try:
        yield
    finally:
        for p in spinners:
            p.kill()
            p.join()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def base_env(home: Path) -> dict[str, str]:
    env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    for name in ("PREFECT_API_URL", "NEWSFLOW_WAREHOUSE", "PREFECT_PROFILE"):
        env.pop(name, None)
    return env


def ingest_seeds(env: dict[str, str], warehouse: Path, cwd: Path) -> dict:
    started = time.perf_counter()
    proc = subprocess.run(
        [str(BIN / "newsflow"), "--warehouse", str(warehouse), "ingest", "seeds", str(SEEDS)],
        env=env, cwd=cwd, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    wall = time.perf_counter() - started
    summary = next((line for line in proc.stdout.splitlines() if "found," in line), "")
    flow_s = re.search(r" in ([\d.]+) s ->", summary)
    if proc.returncode != 0:
        print(proc.stdout[-2000:], proc.stderr[-4000:], sep="\n", file=sys.stderr)
    return {
        "wall_s": wall,
        "exit": proc.returncode,
        "flow_s": float(flow_s.group(1)) if flow_s else None,
        "temporary_server": "temporary Prefect server" in proc.stderr,
        "new": re.search(r"(\d+) new", summary).group(1) if summary else "-",
    }


@contextmanager
def background_server(env: dict[str, str]) -> Iterator[float]:
    """`prefect server start --background --analytics-off`, as the README says; yields seconds
    to healthy."""
    started = time.perf_counter()
    subprocess.run([str(BIN / "prefect"), "server", "start", "--background", "--analytics-off"],
                   env=env, check=True, capture_output=True, timeout=120)  # fmt: skip
    url = f"http://127.0.0.1:{env['PREFECT_SERVER_API_PORT']}/api/health"
    try:
        while True:
            try:
                if httpx.get(url, timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.perf_counter() - started > 300:
                raise RuntimeError("the background server did not answer in 300 s")
            time.sleep(0.2)
        yield time.perf_counter() - started
    finally:
        subprocess.run([str(BIN / "prefect"), "server", "stop"],
                       env=env, capture_output=True, timeout=60)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="no-change re-runs with a server")
    parser.add_argument("--busy", type=int, default=(os.cpu_count() or 2) + 1,
                        help="busy-loop processes for (a)")  # fmt: skip
    args = parser.parse_args()
    rows: list[tuple[str, dict]] = []
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at start", flush=True)

    with tempfile.TemporaryDirectory(prefix="newsflow-first-run-") as tmp:
        tmp_path = Path(tmp)

        # (a) saturated CPU, fresh everything: the README's first command.
        home, wh = tmp_path / "a-home", tmp_path / "a" / "newsflow.duckdb"
        with cpu_saturated(args.busy):
            rows.append((f"(a) {args.busy} busy loops: first run", ingest_seeds(
                base_env(home), wh, tmp_path)))  # fmt: skip

        # (b) no load, no server: every run starts a temporary server.
        home, wh = tmp_path / "b-home", tmp_path / "b" / "newsflow.duckdb"
        rows.append(("(b) no server: first run", ingest_seeds(base_env(home), wh, tmp_path)))
        rows.append(("(b) no server: re-run", ingest_seeds(base_env(home), wh, tmp_path)))

        # (c) a local server in the background, started once.
        home, wh = tmp_path / "c-home", tmp_path / "c" / "newsflow.duckdb"
        env = {**base_env(home), "PREFECT_SERVER_API_PORT": str(free_port())}
        with background_server(env) as ready_s:
            print(f"the background server answered in {ready_s:.1f} s", flush=True)
            rows.append(("(c) background server: first run", ingest_seeds(env, wh, tmp_path)))
            for n in range(1, args.rounds + 1):
                rows.append((f"(c) background server: re-run {n}",
                             ingest_seeds(env, wh, tmp_path)))  # fmt: skip
            api_url = f"http://127.0.0.1:{env['PREFECT_SERVER_API_PORT']}/api"
            api_env = {**env, "PREFECT_API_URL": api_url}
            for n in range(1, args.rounds + 1):
                rows.append((f"(c) PREFECT_API_URL set: re-run {n}",
                             ingest_seeds(api_env, wh, tmp_path)))  # fmt: skip
        shutil.rmtree(tmp_path, ignore_errors=True)

    width = max(len(name) for name, _ in rows)
    print(f"\n{'case':<{width}}  wall s  exit  new  flow s  temporary server")
    for name, r in rows:
        flow = f"{r['flow_s']:.2f}" if r["flow_s"] is not None else "-"
        print(f"{name:<{width}}  {r['wall_s']:6.1f}  {r['exit']:4}  {r['new']:>3}  {flow:>6}  "
              f"{'yes' if r['temporary_server'] else 'no'}")  # fmt: skip
    print(f"load average {os.getloadavg()[0]:.2f} at the end")
    if any(r["exit"] != 0 for _, r in rows):
        sys.exit(1)


if __name__ == "__main__":
    main()
