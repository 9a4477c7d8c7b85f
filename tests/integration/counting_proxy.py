"""A counting proxy on loopback: TCP ports forwarded connection by connection, UDP datagram by
datagram, to the same ports on an upstream address. It counts what the check opens (TCP
connections accepted) and asks (distinct STUN transaction ids), not what it was answered.
"""

from __future__ import annotations

import socket
import threading
from collections import Counter

from ..stoppable import Stoppable


def _pump(src: socket.socket, dst: socket.socket) -> None:
    try:
        while data := src.recv(65536):
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class CountingProxy(Stoppable):
    def __init__(self, address: str, upstream: str, tcp: tuple[int, ...], udp: tuple[int, ...] = ()) -> None:
        self.upstream = upstream
        self.accepted: Counter[int] = Counter()  # TCP connections per port
        self.transactions: dict[int, set[bytes]] = {port: set() for port in udp}  # STUN ids per port
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._sockets: list[socket.socket] = []
        self._threads: list[threading.Thread] = []
        for port in tcp:
            listener = socket.create_server((address, port))
            self._start(self._accept, listener, port)
        for port in udp:
            sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            sock.bind((address, port))
            self._start(self._relay, sock, port)

    def _start(self, loop: object, sock: socket.socket, port: int) -> None:
        self._sockets.append(sock)
        thread = threading.Thread(target=loop, args=(sock, port), daemon=True)  # type: ignore[arg-type]
        thread.start()
        self._threads.append(thread)

    def _accept(self, listener: socket.socket, port: int) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # closed by stop()
            with self._lock:
                self.accepted[port] += 1
            try:
                server = socket.create_connection((self.upstream, port), timeout=5)
            except OSError:
                client.close()
                continue
            server.settimeout(None)
            self._sockets += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=_pump, args=(a, b), daemon=True).start()

    def _relay(self, sock: socket.socket, port: int) -> None:
        while True:
            try:
                data, client = sock.recvfrom(65536)
            except OSError:
                return
            if self._stopping.is_set():
                return  # shutdown() wakes recvfrom with an empty datagram
            with self._lock:
                self.transactions[port].add(data[8:20])
            up = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            up.settimeout(3)
            try:
                up.sendto(data, (self.upstream, port))
                sock.sendto(up.recv(65536), client)
            except OSError:
                pass  # no answer upstream: the client sees silence too
            finally:
                up.close()

    def stop(self) -> None:
        self._stopping.set()
        for s in self._sockets:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()
        for t in self._threads:
            t.join(5)
