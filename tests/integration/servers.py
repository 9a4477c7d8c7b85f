"""Real authoritative DNS servers (PowerDNS, BIND) on loopback for integration tests.

Mocks of the PowerDNS API or of RFC 2136 cannot show what a real server serves, so these helpers
start the Debian-packaged servers on free high ports inside a private temp dir and tear them down
again. Each server runs in its own session, is signalled only after its /proc entry proves it is
still the process we started, and its log is attached to every startup failure.

Environment knobs (for slow or noisy machines and debugging):
``KOLAB_DNS_TEST_STARTUP_TIMEOUT`` (seconds, default 15) and ``KOLAB_DNS_TEST_KEEP=1`` (keep the
temp dirs after stop).
"""

from __future__ import annotations

import atexit
import base64
import ctypes
import json
import os
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Literal, Self

import dns.exception
import dns.message
import dns.name
import dns.query
import dns.rcode
import dns.rdatatype
import dns.resolver
import dns.tsigkeyring
import dns.update
import dns.zone

__all__ = [
    "DEFAULT_NAMESERVER",
    "Bind",
    "PowerDNS",
    "PowerDNSAPIError",
    "ServerStartError",
    "free_port",
]

LOOPBACK = "127.0.0.1"
DEFAULT_NAMESERVER = "ns1.test.example."
PDNS_SCHEMA = Path("/usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql")
STARTUP_TIMEOUT = float(os.environ.get("KOLAB_DNS_TEST_STARTUP_TIMEOUT", "15"))
KEEP_DIRS = os.environ.get("KOLAB_DNS_TEST_KEEP", "") not in ("", "0")

# Log lines meaning "someone grabbed our port between free_port() and bind()": retry on new ports.
_PORT_CLASH_MARKERS = (
    "address already in use",  # pdns: Unable to bind UDP socket ...: Address already in use
    "unable to bind",
    "unable to listen on any configured interfaces",  # named
    "address in use",
)

_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>

# Ports already handed out by this process: two servers started back to back must never share one.
_handed_out: set[int] = set()


class ServerStartError(RuntimeError):
    """A server did not come up; the message carries its log tail."""


class PowerDNSAPIError(RuntimeError):
    """The PowerDNS HTTP API answered with an error status."""

    def __init__(self, status: int, method: str, url: str, body: str) -> None:
        super().__init__(f"{method} {url} -> HTTP {status}: {body}")
        self.status = status
        self.body = body


def free_port(kind: Literal["tcp", "udp", "both"] = "both") -> int:
    """Return a currently free port on 127.0.0.1 (a DNS server needs it free for UDP *and* TCP).

    The kernel picks the port (bind to 0); it stays free only until someone else takes it, so
    the server classes retry with new ports when a bind clash shows up in their log.
    """
    if kind not in ("tcp", "udp", "both"):
        raise ValueError(f"kind must be tcp, udp or both, not {kind!r}")
    first_type = socket.SOCK_DGRAM if kind == "udp" else socket.SOCK_STREAM
    for _ in range(200):
        with socket.socket(socket.AF_INET, first_type) as first:
            first.bind((LOOPBACK, 0))
            port: int = first.getsockname()[1]
            if port in _handed_out:
                continue
            if kind == "both":
                try:
                    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as second:
                        second.bind((LOOPBACK, port))
                except OSError:
                    continue
        _handed_out.add(port)
        return port
    raise RuntimeError(f"no free {kind} port found on {LOOPBACK}")


def _absolute(name: str) -> str:
    """Zone and owner names in trailing-dot form, as both servers and octoDNS expect."""
    return name if name.endswith(".") else name + "."


def _proc_stat(pid: int) -> tuple[str, str, int] | None:
    """(comm, state, starttime) from /proc/PID/stat, or None if the PID no longer exists."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    # comm may itself contain spaces or ')' - split around the last ')'.
    comm = raw[raw.index("(") + 1 : raw.rindex(")")]
    rest = raw[raw.rindex(")") + 2 :].split()
    return comm, rest[0], int(rest[19])


# Resolved in the parent: the child between fork and exec should do as little as possible.
_prctl = ctypes.CDLL(None, use_errno=True).prctl


def _die_with_parent() -> None:
    """Child-side hook: the kernel SIGTERMs the server if the test run is killed (no atexit)."""
    _prctl(_PR_SET_PDEATHSIG, int(signal.SIGTERM))


class _Server:
    """Process lifecycle shared by both servers: temp dir, log file, PID-safe stop, DNS helpers."""

    #: Expected /proc/PID/comm of the server binary (guards against PID reuse).
    comm: str = ""
    log_name = "server.log"

    def __init__(self, prefix: str, startup_timeout: float | None) -> None:
        self.startup_timeout = STARTUP_TIMEOUT if startup_timeout is None else startup_timeout
        self.dir = Path(tempfile.mkdtemp(prefix=prefix))
        self.log_path = self.dir / self.log_name
        self.dns_port = 0
        self._proc: subprocess.Popen[bytes] | None = None
        self._starttime: int | None = None
        self._log: IO[bytes] | None = None
        self._stopped = False
        atexit.register(self.stop)

    # -- lifecycle ---------------------------------------------------------------------------

    @property
    def pid(self) -> int:
        if self._proc is None:
            raise RuntimeError("server not started")
        return self._proc.pid

    def _spawn(self, argv: Sequence[str]) -> None:
        if self._log is None:
            self._log = open(self.log_path, "ab")
        self._log.write(f"---- {' '.join(argv)}\n".encode())
        self._log.flush()
        # PDEATHSIG fires when the forking *thread* exits, so only arm it from the main thread.
        on_main_thread = threading.current_thread() is threading.main_thread()
        self._proc = subprocess.Popen(
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            cwd=self.dir,
            start_new_session=True,
            close_fds=True,
            # Safe here: the hook only makes one already-resolved prctl() call.
            preexec_fn=_die_with_parent if on_main_thread else None,
        )
        # Popen returns after exec succeeded, so /proc already shows the server binary.
        stat = _proc_stat(self._proc.pid)
        self._starttime = stat[2] if stat else None

    def is_ours(self) -> bool:
        """True if our child is still running: not reaped, not a zombie, same comm and start time."""
        if self._proc is None or self._proc.poll() is not None:
            return False
        stat = _proc_stat(self._proc.pid)
        if stat is None:
            return False
        comm, state, starttime = stat
        if state in ("Z", "X", "x"):
            return False
        if self.comm and comm != self.comm:
            return False
        return self._starttime is None or starttime == self._starttime

    def _signal(self, sig: signal.Signals) -> None:
        if self._proc is not None and self.is_ours():
            try:
                os.kill(self._proc.pid, sig)
            except ProcessLookupError:
                pass

    def _terminate(self, timeout: float = 5.0) -> None:
        """SIGTERM, then SIGKILL after `timeout`; always reap so no zombie is left behind."""
        proc = self._proc
        if proc is None:
            return
        self._signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self._signal(signal.SIGKILL)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                pass
        self._proc = None if proc.returncode is not None else proc

    def kill(self) -> None:
        """SIGKILL the server, as a crash would; its data stays for `restart()`."""
        proc = self._proc
        if proc is None:
            return
        self._signal(signal.SIGKILL)
        proc.wait(10)
        self._proc = None

    def halt(self) -> None:
        """Stop the server process (SIGTERM) but keep its data for `restart()`."""
        self._terminate()
        self._proc = None

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the server and remove its temp dir; idempotent and safe to call from atexit."""
        if self._stopped:
            return
        self._terminate(timeout)
        self._stopped = True
        if self._log is not None:
            self._log.close()
            self._log = None
        if not KEEP_DIRS:
            shutil.rmtree(self.dir, ignore_errors=True)
        atexit.unregister(self.stop)

    def log_tail(self, lines: int = 40) -> str:
        """The last lines of the server's stdout/stderr, for failure messages."""
        if self._log is not None:
            self._log.flush()
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "<no log>"
        return "\n".join(text.splitlines()[-lines:])

    def _port_clash(self) -> bool:
        tail = self.log_tail(60).lower()
        return any(marker in tail for marker in _PORT_CLASH_MARKERS)

    def _wait_until(self, what: str, ready: Callable[[], bool]) -> None:
        """Poll `ready` until it holds; fail fast if the process died, else after the timeout."""
        deadline = time.monotonic() + self.startup_timeout
        delay = 0.02
        while True:
            if self._proc is None or self._proc.poll() is not None:
                rc = None if self._proc is None else self._proc.returncode
                raise ServerStartError(
                    f"{type(self).__name__} exited (rc={rc}) before {what}:\n{self.log_tail()}"
                )
            if ready():
                return
            if time.monotonic() > deadline:
                raise ServerStartError(
                    f"{type(self).__name__} not ready ({what}) after {self.startup_timeout}s:"
                    f"\n{self.log_tail()}"
                )
            time.sleep(delay)
            delay = min(delay * 1.5, 0.2)

    def _start_with_retries(self, attempt: Callable[[], None], attempts: int = 3) -> None:
        """Run one start attempt; on a port clash pick new ports and try again."""
        try:
            for n in range(attempts):
                try:
                    attempt()
                    return
                except ServerStartError:
                    clash = self._port_clash()
                    self._terminate()
                    if not clash or n == attempts - 1:
                        raise
        except BaseException:
            self.stop()
            raise

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- DNS helpers -------------------------------------------------------------------------

    def resolver(self) -> dns.resolver.Resolver:
        """A resolver that asks only this server, without cache (so every lookup is fresh)."""
        res = dns.resolver.Resolver(configure=False)
        res.nameservers = [LOOPBACK]
        res.port = self.dns_port
        res.cache = None
        res.timeout = 2.0
        res.lifetime = 6.0
        return res

    def query(
        self, name: str, rdtype: str = "SOA", *, tcp: bool = False, timeout: float = 3.0
    ) -> dns.message.Message:
        """Send one non-recursive query and return the raw response (rcode, flags, sections).

        Unlike `resolver()`, REFUSED/NXDOMAIN come back as messages rather than exceptions.
        UDP falls back to TCP on truncation.
        """
        q = dns.message.make_query(_absolute(name), rdtype, flags=0)
        if tcp:
            return dns.query.tcp(q, LOOPBACK, port=self.dns_port, timeout=timeout)
        response, _ = dns.query.udp_with_fallback(q, LOOPBACK, port=self.dns_port, timeout=timeout)
        return response

    def answer(self, name: str, rdtype: str) -> set[str]:
        """The rdata texts answering (name, rdtype) authoritatively; empty set if none."""
        response = self.query(name, rdtype)
        qname = dns.name.from_text(_absolute(name))
        wanted = dns.rdatatype.from_text(rdtype)
        return {
            rdata.to_text()
            for rrset in response.answer
            if rrset.name == qname and rrset.rdtype == wanted
            for rdata in rrset
        }

    def _tcp_listening(self) -> bool:
        # A refused TCP connect fails at once, whereas a UDP query to a not-yet-bound port only
        # times out (the ICMP error never reaches an unconnected socket): probe TCP first.
        try:
            with socket.create_connection((LOOPBACK, self.dns_port), timeout=0.5):
                return True
        except OSError:
            return False

    def _answers_anything(self, name: str = "ready.invalid.", rdtype: str = "SOA") -> bool:
        """Any UDP response counts (REFUSED included): the DNS listener is up."""
        if not self._tcp_listening():
            return False
        try:
            self.query(name, rdtype, timeout=0.5)
        except (dns.exception.DNSException, OSError):
            return False
        return True


class PowerDNS(_Server):
    """pdns_server with a fresh gsqlite3 DB, HTTP API and all caches off (changes show at once).

    Use as a context manager; the server is running when the constructor returns.
    """

    comm = "pdns_server"
    server_id = "localhost"

    def __init__(
        self,
        *,
        nameserver: str = DEFAULT_NAMESERVER,
        startup_timeout: float | None = None,
        http_timeout: float = 10.0,
    ) -> None:
        super().__init__("kolab-dns-pdns-", startup_timeout)
        self.nameserver = _absolute(nameserver)
        self.http_timeout = http_timeout
        self.api_key = secrets.token_urlsafe(24)
        self.api_port = 0
        self.db_path = self.dir / "pdns.sqlite3"
        # No proxies: a machine-wide http_proxy must never see loopback API traffic.
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        self._create_db()
        self._start_with_retries(self._attempt)

    @property
    def api_url(self) -> str:
        """Base of the HTTP API, e.g. http://127.0.0.1:PORT/api/v1."""
        return f"http://{LOOPBACK}:{self.api_port}/api/v1"

    def _create_db(self) -> None:
        schema = PDNS_SCHEMA.read_text()
        with sqlite3.connect(self.db_path) as conn:
            conn.executescript(schema)
        conn.close()

    def _write_config(self) -> None:
        settings = {
            "launch": "gsqlite3",
            "gsqlite3-database": str(self.db_path),
            "gsqlite3-pragma-synchronous": "0",  # test data: speed over durability
            "api": "yes",
            "api-key": self.api_key,
            "webserver": "yes",
            "webserver-address": LOOPBACK,
            "webserver-port": str(self.api_port),
            "webserver-allow-from": "127.0.0.0/8",
            "webserver-loglevel": "none",
            "local-address": LOOPBACK,
            "local-port": str(self.dns_port),
            "daemon": "no",
            "guardian": "no",
            "disable-syslog": "yes",
            "write-pid": "no",
            "socket-dir": str(self.dir),
            "security-poll-suffix": "",
            "cache-ttl": "0",
            "negquery-cache-ttl": "0",
            "query-cache-ttl": "0",
            "zone-cache-refresh-interval": "0",
            "zone-metadata-cache-ttl": "0",
            "dnssec-key-cache-ttl": "0",
            "default-soa-content": f"{self.nameserver} hostmaster.@ 0 10800 3600 604800 300",
            "loglevel": "3",
            # Small footprint for 2-core CI machines.
            "distributor-threads": "1",
            "receiver-threads": "1",
            "signing-threads": "1",
        }
        text = "".join(f"{key}={value}\n" for key, value in settings.items())
        (self.dir / "pdns.conf").write_text(text)

    def _attempt(self) -> None:
        self.dns_port = free_port("both")
        self.api_port = free_port("tcp")
        self._write_config()
        self._spawn(["pdns_server", f"--config-dir={self.dir}"])
        # The API answers slightly before DNS does: wait for both.
        self._wait_until("API answers", self._api_ready)
        self._wait_until("DNS answers", self._answers_anything)

    def restart(self) -> None:
        """Start again on the same database after `halt()` or `kill()` (on new ports)."""
        if self._proc is not None:
            raise RuntimeError("PowerDNS is still running")
        self._start_with_retries(self._attempt)

    def _api_ready(self) -> bool:
        try:
            self.api("GET", "", timeout=1.0)
        except (OSError, PowerDNSAPIError):
            return False
        return True

    def provider_config(self) -> dict[str, Any]:
        """Kwargs for `octodns_powerdns.PowerDnsProvider(id, **kwargs)` aimed at this server."""
        return {
            "host": LOOPBACK,
            "port": self.api_port,
            "api_key": self.api_key,
            "scheme": "http",
            "timeout": self.http_timeout,
            "enable_dynamic": False,
        }

    # -- HTTP API ----------------------------------------------------------------------------

    def api(self, method: str, path: str, body: Any = None, *, timeout: float | None = None) -> Any:
        """Call /api/v1/servers/localhost<path>; returns decoded JSON (None for empty bodies)."""
        url = f"{self.api_url}/servers/{self.server_id}{path}"
        data = None if body is None else json.dumps(body).encode()
        headers = {"X-API-Key": self.api_key, "Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with self._opener.open(request, timeout=timeout or self.http_timeout) as response:
                raw = response.read()
        except urllib.error.HTTPError as err:
            raise PowerDNSAPIError(err.code, method, url, err.read().decode(errors="replace")) from None
        return json.loads(raw) if raw.strip() else None

    @staticmethod
    def _zone_path(name: str) -> str:
        return "/zones/" + urllib.parse.quote(_absolute(name), safe="")

    @staticmethod
    def rrset(
        name: str,
        rdtype: str,
        contents: Iterable[str] = (),
        ttl: int = 300,
        changetype: Literal["REPLACE", "DELETE"] = "REPLACE",
    ) -> dict[str, Any]:
        """Build one raw PowerDNS rrset dict (contents in zone-file presentation format)."""
        rrset: dict[str, Any] = {
            "name": _absolute(name),
            "type": rdtype.upper(),
            "changetype": changetype,
        }
        if changetype == "REPLACE":
            rrset["ttl"] = ttl
            rrset["records"] = [{"content": c, "disabled": False} for c in contents]
        return rrset

    def create_zone(
        self,
        name: str,
        nameservers: Sequence[str] | None = None,
        rrsets: Sequence[dict[str, Any]] | None = None,
        kind: str = "Native",
    ) -> dict[str, Any]:
        """Create a zone (default NS: this server's nameserver name) and return its JSON.

        When `rrsets` contains the apex NS, the default becomes no `nameservers`.
        """
        if nameservers is None:
            apex_ns = any(
                r.get("type") == "NS" and _absolute(r["name"]) == _absolute(name) for r in rrsets or ()
            )
            # PowerDNS rejects `nameservers` mixed with an apex NS rrset.
            nameservers = [] if apex_ns else [self.nameserver]
        body: dict[str, Any] = {
            "name": _absolute(name),
            "kind": kind,
            "nameservers": [_absolute(ns) for ns in nameservers],
        }
        if rrsets:
            body["rrsets"] = [{k: v for k, v in r.items() if k != "changetype"} for r in rrsets]
        result: dict[str, Any] = self.api("POST", "/zones", body)
        return result

    def patch_rrsets(self, zone: str, rrsets: Sequence[dict[str, Any]]) -> None:
        """PATCH raw rrsets (each with changetype REPLACE or DELETE) into a zone."""
        self.api("PATCH", self._zone_path(zone), {"rrsets": list(rrsets)})

    def get_zone(self, name: str) -> dict[str, Any]:
        """The zone's full JSON including rrsets."""
        result: dict[str, Any] = self.api("GET", self._zone_path(name))
        return result

    def list_zones(self) -> list[str]:
        """Names (trailing dot) of all zones on the server."""
        return sorted(zone["name"] for zone in self.api("GET", "/zones"))

    def delete_zone(self, name: str) -> None:
        self.api("DELETE", self._zone_path(name))


class Bind(_Server):
    """named serving primary zones that accept UPDATE and AXFR only with one TSIG key.

    This is the shape `octodns_bind.Rfc2136Provider` needs (it reads by AXFR, writes by UPDATE
    and cannot create zones), so the zones are fixed at construction.
    """

    comm = "named"
    key_algorithm = "hmac-sha256"

    def __init__(
        self,
        zones: Sequence[str],
        *,
        nameserver: str = DEFAULT_NAMESERVER,
        key_name: str = "kolab-dns-test.",
        startup_timeout: float | None = None,
        ttl: int = 300,
    ) -> None:
        if _absolute(nameserver) == "localhost.":
            raise ValueError("octoDNS rejects localhost. as NS target; use another name")
        super().__init__("kolab-dns-bind-", startup_timeout)
        self.zones = [_absolute(z) for z in zones]
        self.nameserver = _absolute(nameserver)
        self.key_name = _absolute(key_name)
        self.key_secret = base64.b64encode(secrets.token_bytes(32)).decode()
        self.ttl = ttl
        self.conf_path = self.dir / "named.conf"
        try:
            self._check_writable()
            self._write_zone_files()
        except BaseException:
            self.stop()
            raise
        self._start_with_retries(self._attempt)

    @property
    def port(self) -> int:
        return self.dns_port

    def _check_writable(self) -> None:
        # named runs as us (no -u), so it can write where we can; journals need that.
        probe = self.dir / ".write-probe"
        probe.write_text("ok")
        probe.unlink()

    @staticmethod
    def _file_stem(zone: str) -> str:
        return zone.rstrip(".").replace("/", "_") or "root"

    def _write_zone_files(self) -> None:
        ns = dns.name.from_text(self.nameserver)
        for zone in self.zones:
            origin = dns.name.from_text(zone)
            lines = [
                f"$ORIGIN {zone}",
                f"$TTL {self.ttl}",
                f"@ IN SOA {self.nameserver} hostmaster.{zone} 1 3600 600 604800 {self.ttl}",
                f"@ IN NS {self.nameserver}",
            ]
            if ns.is_subdomain(origin):  # in-zone NS needs an address (glue) to load
                lines.append(f"{ns.to_text()} IN A {LOOPBACK}")
            (self.dir / f"{self._file_stem(zone)}.zone").write_text("\n".join(lines) + "\n")

    def _write_config(self) -> None:
        d = self.dir
        key = f'"{self.key_name}"'
        zone_blocks = "".join(
            f'zone "{zone}" {{\n'
            f"    type primary;\n"
            f'    file "{d}/{self._file_stem(zone)}.zone";\n'
            f'    journal "{d}/{self._file_stem(zone)}.zone.jnl";\n'
            f"    allow-update {{ key {key}; }};\n"
            f"    allow-transfer {{ key {key}; }};\n"
            f"}};\n"
            for zone in self.zones
        )
        self.conf_path.write_text(
            f"options {{\n"
            f'    directory "{d}";\n'
            f'    pid-file "{d}/named.pid";\n'
            f'    session-keyfile "{d}/session.key";\n'
            f'    managed-keys-directory "{d}";\n'
            f'    dump-file "{d}/named_dump.db";\n'
            f'    statistics-file "{d}/named.stats";\n'
            f"    listen-on port {self.dns_port} {{ {LOOPBACK}; }};\n"
            f"    listen-on-v6 {{ none; }};\n"
            f"    recursion no;\n"
            f"    allow-query {{ any; }};\n"
            f"    notify no;\n"
            f"    dnssec-validation no;\n"
            f"}};\n"
            f"controls {{ }};\n"
            f"key {key} {{\n"
            f"    algorithm {self.key_algorithm};\n"
            f'    secret "{self.key_secret}";\n'
            f"}};\n" + zone_blocks
        )

    def _checkconf(self) -> None:
        result = subprocess.run(
            ["named-checkconf", "-z", str(self.conf_path)],
            capture_output=True,
            text=True,
            cwd=self.dir,
            timeout=60,
            check=False,
        )
        if result.returncode != 0:
            raise ServerStartError(
                f"named-checkconf -z failed (rc={result.returncode}):\n{result.stdout}{result.stderr}"
            )

    def _attempt(self) -> None:
        self.dns_port = free_port("both")
        self._write_config()
        self._checkconf()
        # -g: foreground, log to stderr; -n 1: one worker thread is plenty and kind to 2 cores.
        self._spawn(["named", "-g", "-4", "-n", "1", "-c", str(self.conf_path)])
        if self.zones:
            self._wait_until(f"SOA of {self.zones[0]}", self._soa_ready)
        else:
            self._wait_until("DNS answers", self._answers_anything)

    def _soa_ready(self) -> bool:
        if not self._tcp_listening():
            return False
        try:
            response = self.query(self.zones[0], "SOA", timeout=0.5)
        except (dns.exception.DNSException, OSError):
            return False
        return response.rcode() == dns.rcode.NOERROR and bool(response.answer)

    def provider_config(self) -> dict[str, Any]:
        """Kwargs for `octodns_bind.Rfc2136Provider(id, **kwargs)` aimed at this server."""
        return {
            "host": LOOPBACK,
            "port": self.dns_port,
            "key_name": self.key_name,
            "key_secret": self.key_secret,
            "key_algorithm": self.key_algorithm,
            "timeout": 10,
        }

    # -- TSIG-signed UPDATE / AXFR -----------------------------------------------------------

    def _tsig(self) -> dict[str, Any]:
        return {
            "keyring": dns.tsigkeyring.from_text({self.key_name: self.key_secret}),
            "keyname": self.key_name,
            "keyalgorithm": self.key_algorithm,
        }

    def update(
        self,
        zone: str,
        fn: Callable[[dns.update.UpdateMessage], None],
        *,
        signed: bool = True,
        timeout: float = 5.0,
    ) -> dns.message.Message:
        """Build an UPDATE for `zone`, let `fn` fill it, send it over TCP; returns the response.

        `signed=False` sends it without TSIG (to prove the server refuses it). Relative names
        in `fn` are relative to the zone.
        """
        message = dns.update.UpdateMessage(_absolute(zone), **(self._tsig() if signed else {}))
        fn(message)
        return dns.query.tcp(message, LOOPBACK, port=self.dns_port, timeout=timeout)

    def add_records(self, zone: str, records: Iterable[tuple[str, int, str, str]]) -> None:
        """Seed records (name, ttl, rdtype, rdata text) as a foreign tool would; raise on error."""

        def fill(message: dns.update.UpdateMessage) -> None:
            for name, ttl, rdtype, text in records:
                message.add(name, ttl, rdtype, text)

        response = self.update(zone, fill)
        if response.rcode() != dns.rcode.NOERROR:
            raise RuntimeError(f"UPDATE of {zone} failed: {dns.rcode.to_text(response.rcode())}")

    def axfr(self, zone: str, *, signed: bool = True, timeout: float = 5.0) -> dns.zone.Zone:
        """Transfer the zone (absolute names); raises dns.xfr.TransferError when refused."""
        xfr = dns.query.xfr(
            LOOPBACK,
            _absolute(zone),
            port=self.dns_port,
            timeout=timeout,
            lifetime=timeout,
            relativize=False,
            **(self._tsig() if signed else {}),
        )
        return dns.zone.from_xfr(xfr, relativize=False)
