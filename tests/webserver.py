"""A real HTTP server on loopback for fetching tests and benchmarks: static routes and
handler functions. Any 127.x.y.z address works on Linux, so several "hosts" can run at once."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Request:
    method: str
    path: str  # with the query string
    headers: dict[str, str]  # header names lower-cased
    at: float = field(default_factory=time.monotonic)


@dataclass
class Reply:
    status: int = 200
    body: bytes | str = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering (a slow server)
    # A hostile server: send the body (or, with drip_headers, the headers too) one byte at a
    # time, `drip` seconds apart, until done or the client hangs up.
    drip: float = 0.0
    drip_headers: bool = False


Handler = Callable[[Request], Reply]


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        pass  # clients that hang up mid-body (timeouts, size caps) are what tests provoke


class LocalServer:
    """A threaded server on an ephemeral port; use as a context manager.

    `add(path, ...)` serves a fixed reply, `handle(path, fn)` computes one per request;
    unknown paths answer 404. Every request is logged in `requests`; `active` and
    `max_active` count requests being answered at once (for concurrency limits).
    """

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.routes: dict[str, Handler] = {}
        self.requests: list[Request] = []
        self.active = 0
        self.max_active = 0
        self._lock = threading.Lock()
        self._closing = threading.Event()  # dripping replies stop when the server does
        self._server = _QuietServer((host, 0), self._handler_class())
        self._server.daemon_threads = True
        # A short poll interval: shutdown() waits up to one interval, for every test.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def add(
        self,
        path: str,
        body: bytes | str = b"",
        status: int = 200,
        headers: dict[str, str] | None = None,
        delay: float = 0.0,
    ) -> str:
        reply = Reply(status, body, dict(headers or {}), delay)
        self.routes[path] = lambda _request: reply
        return self.url(path)

    def handle(self, path: str, fn: Handler) -> str:
        self.routes[path] = fn
        return self.url(path)

    def drip(
        self,
        path: str,
        body: bytes | str = b"",
        interval: float = 0.5,
        headers: bool = False,
        extra_headers: dict[str, str] | None = None,
    ) -> str:
        """Serve `body` one byte every `interval` seconds; with `headers`, the response
        headers too (after the status line), so even the status arrives but never the end."""
        reply = Reply(200, body, dict(extra_headers or {}), drip=interval, drip_headers=headers)
        self.routes[path] = lambda _request: reply
        return self.url(path)

    def hits(self, path: str) -> list[Request]:
        return [r for r in self.requests if r.path == path]

    def __enter__(self) -> LocalServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._closing.set()
        self._server.shutdown()
        self._server.server_close()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:  # quiet
                pass

            def do_HEAD(self) -> None:
                self._answer(send_body=False)

            def do_GET(self) -> None:
                self._answer(send_body=True)

            def _answer(self, send_body: bool) -> None:
                request = Request(
                    self.command, self.path, {k.lower(): v for k, v in self.headers.items()}
                )
                with server._lock:
                    server.requests.append(request)
                    server.active += 1
                    server.max_active = max(server.max_active, server.active)
                try:
                    route = server.routes.get(self.path) or server.routes.get(
                        self.path.split("?", 1)[0]
                    )
                    reply = route(request) if route else Reply(404, b"not found")
                    if reply.delay:
                        time.sleep(reply.delay)
                    body = reply.body.encode() if isinstance(reply.body, str) else reply.body
                    if reply.drip:
                        self._drip(reply, body, send_body)
                        return
                    self.send_response(reply.status)
                    headers = {"Content-Length": str(len(body)), **reply.headers}
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    if send_body and reply.status not in (204, 304):
                        self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeouts, size caps): that is the test
                finally:
                    with server._lock:
                        server.active -= 1

            def _drip(self, reply: Reply, body: bytes, send_body: bool) -> None:
                headers = {"Content-Length": str(len(body)), **reply.headers}
                head = "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
                status = f"HTTP/1.1 {reply.status} OK\r\n".encode()
                if reply.drip_headers:
                    self.wfile.write(status)
                    slow = head.encode() + (body if send_body else b"")
                else:
                    self.wfile.write(status + head.encode())
                    slow = body if send_body else b""
                self.close_connection = True
                for i in range(len(slow)):
                    if server._closing.wait(reply.drip):
                        return
                    self.wfile.write(slow[i : i + 1])

        return _Handler
