"""A throw-away internet in network namespaces: a client, the Kolab gateway and the cluster.

    client 198.51.100.100 ─ inet0 ═ kext0 ─ gateway ─ kint0 ═ k0 ─ cluster 10.0.1.1 .2 .3 .4
                                  198.51.100.1/24    10.0.1.254/24
                                  203.0.113.1/32 (public)

The public address is an extra /32 routed to the gateway, as providers route additional IPs, so
its link address differs: SNAT to `public` is told apart from masquerading to the link address.

Both veth pairs are created from inside the namespaces, so no interface ever exists in the host's
namespace, and no namespace has a default route: the only routes lead to the other test
namespaces, so no packet can leave them. Names carry the test run's PID and a random tag; the
finalizer kills the listeners (by PID, after /proc proves they are ours) and deletes every
namespace even when a test fails, and stale namespaces of dead runs are swept at the next start.
"""

from __future__ import annotations

import ctypes
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

PEERS = str(Path(__file__).with_name("peers.py"))
PREFIX = "kdt"
CLIENT, GATEWAY_LINK, PUBLIC, GATEWAY_INTERNAL = "198.51.100.100", "198.51.100.1", "203.0.113.1", "10.0.1.254"
SERVICE_IPS = ("10.0.1.1", "10.0.1.2", "10.0.1.3", "10.0.1.4")
EXTERNAL = "kext+"  # the gateway's external interface is kext0: the wildcard must match it
_STALE = re.compile(rf"^{PREFIX}-(\d+)-[0-9a-f]+-\w+$")
_PR_SET_PDEATHSIG = 1
_prctl = ctypes.CDLL(None, use_errno=True).prctl


def _die_with_parent() -> None:
    _prctl(_PR_SET_PDEATHSIG, int(signal.SIGTERM))


def require(*tools: str) -> None:
    """Skip, saying why, where namespaces cannot be built (CI runs as root with the packages)."""
    if os.geteuid() != 0:
        pytest.skip("packet tests build network namespaces, which needs root")
    for tool in tools:
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed (`make test` installs nftables and iptables)")


def _run(argv: list[str], stdin: str | None = None, timeout: float = 30) -> str:
    proc = subprocess.run(argv, input=stdin, capture_output=True, text=True, timeout=timeout, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed ({proc.returncode}): {proc.stderr.strip()}")
    return proc.stdout


def _starttime(pid: int) -> int | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(raw[raw.rindex(")") + 2 :].split()[19])


def sweep_stale() -> None:
    """Delete namespaces a killed earlier run left behind (its PID is gone)."""
    try:
        names = os.listdir("/run/netns")
    except FileNotFoundError:
        return
    for name in names:
        m = _STALE.match(name)
        if m and not Path(f"/proc/{m.group(1)}").exists():
            subprocess.run(["ip", "netns", "del", name], capture_output=True, check=False)


class Listener:
    """`peers.py serve` in a namespace; every contact it reports is collected in `contacts`."""

    def __init__(self, ns: str, targets: list[str]) -> None:
        self.contacts: list[dict[str, Any]] = []
        self.proc = subprocess.Popen(
            ["ip", "netns", "exec", ns, sys.executable, PEERS, "serve", *targets],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
            preexec_fn=_die_with_parent if threading.current_thread() is threading.main_thread() else None,
        )
        self.started = _starttime(self.proc.pid)
        assert self.proc.stdout is not None
        ready = self.proc.stdout.readline()  # `ip netns exec` execs python: the PID stays ours
        if not ready.startswith('{"ready"'):
            errors = self.proc.stderr.read() if self.proc.poll() is not None and self.proc.stderr else ""
            self.stop()
            raise RuntimeError(f"listener in {ns} did not start: {ready}{errors}")
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.contacts.append(json.loads(line))

    def stop(self) -> None:
        if self.proc.poll() is None and _starttime(self.proc.pid) == self.started:
            os.kill(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            if _starttime(self.proc.pid) == self.started:
                os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(5)
        for pipe in (self.proc.stdout, self.proc.stderr):
            if pipe is not None:
                pipe.close()


class Lab:
    """The three namespaces, wired; `close()` undoes everything and is safe to call twice."""

    def __init__(self) -> None:
        self.tag = f"{PREFIX}-{os.getpid()}-{secrets.token_hex(3)}"
        self.namespaces: list[str] = []
        self.listeners: list[Listener] = []
        self.client, self.gateway, self.cluster = (
            f"{self.tag}-{role}" for role in ("client", "gw", "cluster")
        )

    def build(self) -> None:
        """Namespaces, veths, addresses, routes; register close() as a finalizer before calling."""
        sweep_stale()
        for name in (self.client, self.gateway, self.cluster):
            self._namespace(name)
        self._wire()

    def _namespace(self, name: str) -> None:
        _run(["ip", "netns", "add", name])
        self.namespaces.append(name)
        self.ip(name, "link", "set", "lo", "up")

    def ip(self, ns: str, *args: str) -> str:
        return _run(["ip", "-n", ns, *args])

    def exec(self, ns: str, *argv: str, stdin: str | None = None) -> str:
        return _run(["ip", "netns", "exec", ns, *argv], stdin=stdin)

    def _wire(self) -> None:
        c, g, k = self.client, self.gateway, self.cluster
        self.ip(c, "link", "add", "inet0", "type", "veth", "peer", "name", "kext0", "netns", g)
        self.ip(g, "link", "add", "kint0", "type", "veth", "peer", "name", "k0", "netns", k)
        for ns, dev, addrs in (
            (c, "inet0", [f"{CLIENT}/24"]),
            (g, "kext0", [f"{GATEWAY_LINK}/24", f"{PUBLIC}/32"]),
            (g, "kint0", [f"{GATEWAY_INTERNAL}/24"]),
            (k, "k0", [f"{ip}/24" for ip in SERVICE_IPS]),
        ):
            for addr in addrs:
                self.ip(ns, "addr", "add", addr, "dev", dev)
            self.ip(ns, "link", "set", dev, "up")
        # Routes between the test's namespaces only; no default route anywhere.
        self.ip(k, "route", "add", "198.51.100.0/24", "via", GATEWAY_INTERNAL)
        self.ip(c, "route", "add", f"{PUBLIC}/32", "via", GATEWAY_LINK)
        self.ip(c, "route", "add", "10.0.1.0/24", "via", GATEWAY_LINK)  # to try the cluster directly
        self.exec(g, "sh", "-c", "echo 1 > /proc/sys/net/ipv4/ip_forward")
        for ns in self.namespaces:
            assert self.ip(ns, "route", "show", "default") == "", f"{ns} has a default route"

    def listen(self, ns: str, targets: list[str]) -> Listener:
        listener = Listener(ns, targets)
        self.listeners.append(listener)
        return listener

    def probe(self, ns: str, targets: list[str], source: str | None = None) -> dict[str, Any]:
        extra = ["--source", source] if source else []
        out = self.exec(ns, sys.executable, PEERS, "probe", "--timeout", "1", *extra, *targets)
        answers: dict[str, Any] = json.loads(out)
        return answers

    def close(self) -> None:
        for listener in self.listeners:
            listener.stop()
        self.listeners = []
        for ns in reversed(self.namespaces):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True, check=False)
        left = [ns for ns in self.namespaces if os.path.exists(f"/run/netns/{ns}")]
        self.namespaces = []
        assert not left, f"namespaces left behind: {left}"


def wait_for(predicate: Any, timeout: float = 2.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.05)
    return bool(predicate())
