"""A fault-injecting HTTP proxy on loopback, in front of the PowerDNS API.

Requests are forwarded to the upstream one at a time and counted per method; a rule may answer
the Nth PATCH with HTTP 500, stall its answer past the client's timeout, or kill the upstream
while the request is in flight. Stalls end by themselves (bounded wait) so no test can hang.
"""

from __future__ import annotations

import http.client
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from ..stoppable import Stoppable

STALL_LIMIT = 15.0  # seconds a stalled answer is held at most


@dataclass
class Fault:
    """What to do to the `nth` request (1-based) with this method."""

    method: str
    nth: int
    action: str  # "500", "stall" (forward, answer nothing), "kill" (forward, kill upstream),
    # or "hold" (wait until released, then forward and answer)
    kill: Callable[[], None] | None = None


@dataclass
class Seen:
    method: str
    path: str
    status: int | None  # None: no answer was given


@dataclass
class FaultProxy(Stoppable):
    upstream_port: int
    faults: list[Fault] = field(default_factory=list)
    seen: list[Seen] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._counts: dict[str, int] = {}
        self._lock = threading.Lock()
        self._release = threading.Event()
        self.held = threading.Event()  # set when a "hold" request arrived
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:  # quiet
                pass

            def _handle(self) -> None:
                proxy._serve(self)

            do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _handle

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port: int = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def _fault_for(self, method: str) -> Fault | None:
        with self._lock:
            n = self._counts[method] = self._counts.get(method, 0) + 1
        return next((f for f in self.faults if f.method == method and f.nth == n), None)

    def _serve(self, req: BaseHTTPRequestHandler) -> None:
        length = int(req.headers.get("Content-Length") or 0)
        body = req.rfile.read(length) if length else None
        fault = self._fault_for(req.command)
        if fault is not None and fault.action == "500":
            self._answer(req, 500, b'{"error": "injected fault: internal server error"}')
            return
        if fault is not None and fault.action == "hold":
            self.held.set()
            self._release.wait(STALL_LIMIT)
        conn = http.client.HTTPConnection("127.0.0.1", self.upstream_port, timeout=10)
        headers = {k: v for k, v in req.headers.items() if k.lower() not in ("host", "connection")}
        try:
            conn.request(req.command, req.path, body=body, headers=headers)
            if fault is not None and fault.action == "kill" and fault.kill is not None:
                fault.kill()  # the upstream dies with the request in flight
            response = conn.getresponse()
            status, data = response.status, response.read()
            content_type = response.getheader("Content-Type", "application/json")
        except OSError:
            self.seen.append(Seen(req.command, req.path, None))
            req.close_connection = True
            return
        finally:
            conn.close()
        if fault is not None and fault.action in ("stall", "kill"):
            # The answer is dropped: at once if the upstream died (it may have answered just
            # before), after the client gave up if it stalls.
            self.seen.append(Seen(req.command, req.path, None))
            if fault.action == "stall":
                self._release.wait(STALL_LIMIT)
            req.close_connection = True
            return
        self._answer(req, status, data, content_type)

    def _answer(self, req: BaseHTTPRequestHandler, status: int, data: bytes, ctype: str = "") -> None:
        self.seen.append(Seen(req.command, req.path, status))
        req.send_response(status)
        req.send_header("Content-Type", ctype or "application/json")
        req.send_header("Content-Length", str(len(data)))
        req.end_headers()
        req.wfile.write(data)

    def release(self) -> None:
        """Let held and stalled requests go on."""
        self._release.set()

    def stop(self) -> None:
        self._release.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)
