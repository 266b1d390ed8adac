"""The raw store when the disk fills up: a page it cannot keep leaves no half-written file,
and the error says where it was to go."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

# A real write that the kernel cuts short: the child may write files of at most 64 KiB
# (RLIMIT_FSIZE; SIGXFSZ ignored, so write() fails with EFBIG as it fails with ENOSPC on a full
# disk), and a page that compresses to more than that is stored.
_CHILD = """
import os, resource, signal, sys
from pathlib import Path
from warehouse import rawstore
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (65536, 65536))
try:
    rawstore.put(Path(sys.argv[1]), os.urandom(200_000))
except OSError as exc:
    print(exc)
"""


def test_a_page_the_disk_has_no_room_for_leaves_no_partial_file(tmp_path: Path) -> None:
    root = tmp_path / "raw"
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, str(root)], cwd=Path(__file__).parent.parent,
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    (message,) = proc.stdout.splitlines()
    assert "File too large" in message and str(root) in message and ".tmp" not in message
    # Before: the half-written '.<name>.<pid>.<thread>.tmp' stayed, taking the room, for good.
    assert [p for p in root.rglob("*") if p.is_file()] == []
