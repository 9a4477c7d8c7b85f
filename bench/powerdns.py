"""(d) A real PowerDNS holding 1,000 zones: a full plan against the floor of bare API reads, and
the write requests of a sync with nothing to change, counted by a proxy in front of the API."""

from __future__ import annotations

import http.server
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar

import requests
import yaml

from tests.integration.servers import PowerDNS

WRITES = ("PATCH", "POST", "PUT", "DELETE")
BODY_LIMIT_MB = 64


class BenchPowerDNS(PowerDNS):
    """The test suite's PowerDNS, taking larger API requests: octodns-powerdns sends a zone's
    changes in one PATCH, and the first sync of a primary zone holding 1,000 domains (17,000
    record sets, about 3 MB) is over PowerDNS's default webserver-max-bodysize of 2 MB."""

    def _write_config(self) -> None:
        super()._write_config()
        with open(self.dir / "pdns.conf", "a", encoding="utf-8") as fh:
            fh.write(f"webserver-max-bodysize={BODY_LIMIT_MB}\n")


def provider_file(repo: Path, server: PowerDNS, port: int | None = None) -> None:
    """providers/pdns.yaml aimed at the server (or at a proxy in front of it), its key in env/."""
    config = {**server.provider_config(), "class": "octodns_powerdns.PowerDnsProvider"}
    config["api_key"] = "env/PDNS_API_KEY"
    if port is not None:
        config["port"] = port
    (repo / "providers" / "pdns.yaml").write_text(yaml.safe_dump(config))


def bare_gets(server: PowerDNS, zones: Sequence[str], workers: int) -> float:
    """Seconds for one GET of each zone (what a plan must read at least), `workers` at a time,
    through one HTTP session as octodns-powerdns uses."""
    session = requests.Session()
    session.headers["X-API-Key"] = server.api_key
    base = f"{server.api_url}/servers/{server.server_id}/zones/"

    def get(zone: str) -> int:
        response = session.get(base + urllib.parse.quote(zone + ".", safe=""), timeout=30)
        response.raise_for_status()
        return len(response.content)

    start = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(get, zones))
    return time.perf_counter() - start


class _Counting(http.server.BaseHTTPRequestHandler):
    """Forwards every request to the API and counts it by method."""

    upstream: ClassVar[str] = ""
    counts: ClassVar[Counter[str]] = Counter()
    lock: ClassVar[threading.Lock] = threading.Lock()
    session: ClassVar[requests.Session] = requests.Session()

    def _forward(self) -> None:
        with self.lock:
            self.counts[self.command] += 1
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
        response = self.session.request(self.command, self.upstream + self.path, data=body, headers=headers)
        self.send_response(response.status_code)
        for key in ("Content-Type",):
            if key in response.headers:
                self.send_header(key, response.headers[key])
        self.send_header("Content-Length", str(len(response.content)))
        self.end_headers()
        self.wfile.write(response.content)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _forward

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def counting_proxy(server: PowerDNS) -> Iterator[tuple[int, Counter[str]]]:
    """A proxy on loopback in front of the server's API: (its port, requests by method)."""
    handler = type(
        "Handler", (_Counting,), {"upstream": f"http://127.0.0.1:{server.api_port}", "counts": Counter()}
    )
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd.server_address[1], handler.counts
    finally:
        httpd.shutdown()
        httpd.server_close()
