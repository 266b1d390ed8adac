"""A bare trafilatura loop in a process of its own, for the benches to time against.

    echo '{"paths": [...], "options": {}, "warm": [...]}' | python -m bench.bare_loop

Its own process, because newsflow's extraction replaces some of trafilatura's XPath
expressions with faster equivalents in its process before its first page
(tasks/extract/fast_xpath.py): a loop in a process that extracted with newsflow would not
be the stock trafilatura a user runs.
It reads each file and calls `trafilatura.extract(bytes, **options)`, timed; `warm` pages
are extracted first, untimed (first use). Prints JSON: outputs and errors per path,
seconds, CPU seconds.
"""

from __future__ import annotations

import json
import logging
import sys
import time


def main() -> None:
    job = json.load(sys.stdin)
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
    options = job.get("options", {})
    _loop(job.get("warm", []), options, [], [])
    outputs: list[str | None] = []
    errors: list[str | None] = []
    started, cpu = time.perf_counter(), time.process_time()
    _loop(job["paths"], options, outputs, errors)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    json.dump({"outputs": outputs, "errors": errors, "seconds": seconds, "cpu": cpu}, sys.stdout)


def _loop(paths: list[str], options: dict, outputs: list, errors: list) -> None:
    import trafilatura

    for path in paths:
        with open(path, "rb") as fh:
            html = fh.read()
        try:
            outputs.append(trafilatura.extract(html, **options))
            errors.append(None)
        except Exception as exc:  # scored as a miss, as trafilatura's own eval does
            outputs.append(None)
            errors.append(f"{type(exc).__name__}: {exc}")


if __name__ == "__main__":
    main()
