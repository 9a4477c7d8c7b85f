"""One connection to a TLS endpoint: connect, speak the dialogue up to STARTTLS, handshake with
the host name verified, and keep the facts a report needs.

Verification is OpenSSL's own (ssl.create_default_context, check_hostname). A refused
certificate aborts the handshake and shows nothing of itself, so only then a second, unverified
connection reads it, to say which names it carries and when it expires.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace

from cryptography import x509

from .dialogues import Exchange, Service
from .settings import EndpointSettings

MAX_LINES = 100
MAX_LINE_BYTES = 8192


@dataclass(frozen=True)
class Target:
    host: str  # the name TLS verifies
    port: int
    address: str  # where to connect

    @property
    def name(self) -> str:
        return f"{self.host}:{self.port}"


@dataclass(frozen=True)
class Probe:
    target: Target
    stage: str = ""  # where it stopped: connect, greeting, capabilities, starttls, tls; "" = TLS is up
    error: str = ""
    lines: tuple[str, ...] = ()  # what the server said: greeting, capabilities
    starttls: bool | None = None  # offered (None: implicit TLS)
    version: str = ""  # the negotiated protocol, e.g. TLSv1.3
    cert: x509.Certificate | None = None
    verify_error: str = ""  # why verification refused the certificate ("" = valid for the host)

    @property
    def verified(self) -> bool:
        return not self.stage and not self.verify_error


class _Broken(Exception):
    def __init__(self, stage: str, message: str) -> None:
        super().__init__(message)
        self.stage = stage


def why(error: BaseException, timeout: float) -> str:
    """An OS-level failure in a report's words."""
    if isinstance(error, ConnectionRefusedError):
        return "connection refused (the port is closed)"
    if isinstance(error, TimeoutError | socket.timeout):
        return f"no answer within {timeout:g} s"
    if isinstance(error, ssl.SSLError):
        return str(error.reason or error)
    return (
        error.strerror
        if isinstance(error, OSError) and error.strerror
        else str(error) or type(error).__name__
    )


class _Reader:
    """Lines from a socket, keeping what was read past the last line (STARTTLS must see none)."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self.pending = b""

    def line(self) -> str:
        while b"\n" not in self.pending:
            if len(self.pending) > MAX_LINE_BYTES:
                raise _Broken("greeting", f"a line longer than {MAX_LINE_BYTES} bytes")
            chunk = self._sock.recv(4096)
            if not chunk:
                raise EOFError
            self.pending += chunk
        raw, _, self.pending = self.pending.partition(b"\n")
        return raw.rstrip(b"\r").decode("utf-8", "replace")


def _exchange(
    sock: socket.socket, reader: _Reader, ex: Exchange, client: str, stage: str, timeout: float
) -> list[str]:
    lines: list[str] = []
    try:
        if ex.send is not None:
            sock.sendall((ex.send.format(client=client) + "\r\n").encode())
        while len(lines) < MAX_LINES:
            lines.append(reader.line())
            if ex.last.match(lines[-1]):
                break
        else:
            raise _Broken(stage, f"more than {MAX_LINES} lines without an end")
    except EOFError:
        said = f" after {lines[-1]!r}" if lines else ""
        raise _Broken(stage, f"the server closed the connection{said}") from None
    except OSError as e:
        raise _Broken(stage, why(e, timeout)) from None
    if not ex.ok.match(lines[-1]):
        raise _Broken(stage, f"unexpected answer {lines[-1]!r}")
    return lines


def _literal(ip: str) -> str:
    """Our address as an EHLO argument (RFC 5321 §4.1.3)."""
    return f"[IPv6:{ip}]" if ":" in ip else f"[{ip}]"


def _attempt(
    target: Target, service: Service, settings: EndpointSettings, verify: bool
) -> tuple[Probe, ssl.SSLSocket | None]:
    timeout = settings.timeout
    try:
        raw = socket.create_connection((target.address, target.port), timeout=timeout)
    except OSError as e:
        return Probe(target, "connect", why(e, timeout)), None
    lines: list[str] = []
    offered: bool | None = None
    dialogue = service.dialogue
    try:
        if dialogue is not None and not service.implicit:
            reader, client = _Reader(raw), _literal(raw.getsockname()[0])
            lines += _exchange(raw, reader, dialogue.greeting, client, "greeting", timeout)
            if dialogue.capabilities is not None:
                lines += _exchange(raw, reader, dialogue.capabilities, client, "capabilities", timeout)
            offered = any(dialogue.offers_starttls.match(line) for line in lines)
            if not offered:
                raise _Broken("starttls", "STARTTLS is not offered")
            _exchange(raw, reader, dialogue.starttls, client, "starttls", timeout)
            if reader.pending:
                raise _Broken("starttls", "the server sent more after its STARTTLS answer")
        try:
            tls = settings.context(verify).wrap_socket(raw, server_hostname=target.host)
        except ssl.SSLCertVerificationError as e:
            raw.close()
            message = e.verify_message or str(e.reason or e)
            return Probe(target, "", "", tuple(lines), offered, verify_error=message), None
        except (ssl.SSLError, OSError) as e:
            raise _Broken("tls", f"TLS handshake failed: {why(e, timeout)}") from None
    except _Broken as e:
        raw.close()
        return Probe(target, e.stage, str(e), tuple(lines), offered), None
    der = tls.getpeercert(binary_form=True)
    probe = Probe(
        target, "", "", tuple(lines), offered, tls.version() or "", x509.load_der_x509_certificate(der)
    )
    if dialogue is not None and service.implicit:
        try:
            greeting = _exchange(tls, _Reader(tls), dialogue.greeting, "", "greeting", timeout)
        except _Broken as e:
            tls.close()
            return replace(probe, stage=e.stage, error=str(e)), None
        probe = replace(probe, lines=tuple(greeting))
    return probe, tls


@contextmanager
def session(
    target: Target, service: Service, settings: EndpointSettings
) -> Iterator[tuple[Probe, ssl.SSLSocket | None]]:
    """The probe and, when TLS is up and verified, the open TLS socket (for HTTP, say)."""
    probe, sock = _attempt(target, service, settings, verify=True)
    try:
        if probe.verify_error:
            seen, other = _attempt(target, service, settings, verify=False)
            if other is not None:
                other.close()
            probe = replace(probe, version=seen.version, cert=seen.cert)
        yield probe, sock
    finally:
        if sock is not None:
            sock.close()


def probe(target: Target, service: Service, settings: EndpointSettings) -> Probe:
    with session(target, service, settings) as (found, _):
        return found
