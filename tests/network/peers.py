"""Listeners and probes that report which addresses a packet really carried (run inside a netns).

`serve` binds TCP and UDP sockets on the given addresses and answers every contact with one JSON
line naming the address it arrived at and the peer it came from; it also prints each contact on
stdout, so the test sees what reached a listener even when no answer got back. `probe` contacts
many targets at once and prints, as JSON, the answer of each (or null). Standard library only:
it runs as `ip netns exec NS python3 peers.py ...`.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import selectors
import socket
import sys
from typing import Any


def _endpoint(text: str) -> tuple[str, str, int]:
    proto, host, port = text.split(":")
    return proto, host, int(port)


def serve(targets: list[str]) -> None:
    sel = selectors.DefaultSelector()
    for target in targets:
        proto, host, port = _endpoint(target)
        kind = socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM
        sock = socket.socket(socket.AF_INET, kind)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        if proto == "tcp":
            sock.listen(64)
        sock.setblocking(False)
        sel.register(sock, selectors.EVENT_READ, proto)
    print(json.dumps({"ready": len(targets)}), flush=True)
    while True:
        for key, _ in sel.select():
            sock: socket.socket = key.fileobj  # type: ignore[assignment]
            try:
                if key.data == "tcp":
                    conn, peer = sock.accept()
                    report = {"proto": "tcp", "local": list(conn.getsockname()), "peer": list(peer)}
                    print(json.dumps(report), flush=True)  # before the answer: the test may look at once
                    conn.setblocking(True)
                    conn.sendall(json.dumps(report).encode() + b"\n")
                    conn.close()
                else:
                    _, peer = sock.recvfrom(512)
                    report = {"proto": "udp", "local": list(sock.getsockname()), "peer": list(peer)}
                    print(json.dumps(report), flush=True)
                    sock.sendto(json.dumps(report).encode() + b"\n", peer)
            except OSError:
                continue


def _probe(target: str, source: str | None, timeout: float) -> dict[str, Any] | None:
    proto, host, port = _endpoint(target)
    kind = socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM
    with socket.socket(socket.AF_INET, kind) as sock:
        sock.settimeout(timeout)
        if source:
            sock.bind((source, 0))
        try:
            sock.connect((host, port))
            if proto == "udp":
                sock.send(b"probe")
            data = sock.recv(512)
        except OSError:  # refused, unreachable, timed out: no answer
            return None
    answer: dict[str, Any] = json.loads(data.decode())
    return answer


def probe(targets: list[str], source: str | None, timeout: float) -> None:
    with concurrent.futures.ThreadPoolExecutor(max_workers=64) as pool:
        answers = list(pool.map(lambda t: _probe(t, source, timeout), targets))
    print(json.dumps(dict(zip(targets, answers, strict=True))))


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("serve")
    s.add_argument("targets", nargs="+", help="proto:ip:port")
    p = sub.add_parser("probe")
    p.add_argument("targets", nargs="+", help="proto:ip:port")
    p.add_argument("--source")
    p.add_argument("--timeout", type=float, default=1.0)
    args = parser.parse_args()
    if args.command == "serve":
        serve(args.targets)
    else:
        probe(args.targets, args.source, args.timeout)


if __name__ == "__main__":
    sys.exit(main())
