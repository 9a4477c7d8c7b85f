"""Fetching an MTA-STS policy the way a sending MTA does (RFC 8461 §3.3): HTTPS with the
certificate verified against the host name, no redirects, at most 64 KiB.

The host is resolved through the run's resolver (so `--nameserver` applies to it too). Two
environment settings exist for tests and staging, and weaken nothing: KOLAB_DNS_CA_BUNDLE trusts
the CAs of one PEM file instead of the system's, and KOLAB_DNS_HTTPS_CONNECT=ADDR:PORT connects
to that address instead of the resolved one (TLS still verifies the policy host's name).
"""

from __future__ import annotations

import http.client
import os
import socket
import ssl
from dataclasses import dataclass

from .resolver import DnsError, Resolver

MAX_POLICY_BYTES = 64 * 1024
TIMEOUT = 10.0


class FetchError(Exception):
    """The policy could not be fetched (connection, TLS, HTTP); DnsError stays separate."""


@dataclass(frozen=True)
class HttpsSettings:
    ca_bundle: str | None = None
    connect: tuple[str, int] | None = None

    @classmethod
    def from_env(cls) -> HttpsSettings:
        connect = None
        raw = os.environ.get("KOLAB_DNS_HTTPS_CONNECT", "")
        if raw:
            host, _, port = raw.rpartition(":")
            connect = (host.strip("[]"), int(port))
        return cls(os.environ.get("KOLAB_DNS_CA_BUNDLE") or None, connect)

    def context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.ca_bundle)


@dataclass(frozen=True)
class Response:
    status: int
    content_type: str
    body: bytes


def _address(host: str, resolver: Resolver) -> str:
    for rdtype in ("A", "AAAA"):
        answer = resolver.lookup(host, rdtype)
        if answer.rdatas:
            return str(answer.rdatas[0].address)
    raise FetchError(f"{host} has no A or AAAA record")


def get(host: str, path: str, resolver: Resolver, settings: HttpsSettings) -> Response:
    """GET https://host/path; raises FetchError or DnsError."""
    address: tuple[str, int] = settings.connect or (_address(host, resolver), 443)
    try:
        sock = socket.create_connection(address, timeout=TIMEOUT)
    except OSError as e:
        where = f"{address[0]} port {address[1]}"
        raise FetchError(f"cannot connect to {host} ({where}): {e.strerror or e}") from None
    conn = http.client.HTTPSConnection(host, address[1], timeout=TIMEOUT, context=settings.context())
    try:
        try:
            conn.sock = settings.context().wrap_socket(sock, server_hostname=host)
        except ssl.SSLError as e:
            sock.close()
            detail = getattr(e, "verify_message", None)
            reason = f"{e.reason or e}" + (f" ({detail})" if detail else "")
            raise FetchError(f"TLS with {host} failed: {reason}") from None
        conn.request("GET", path, headers={"Host": host, "User-Agent": "kolab-dns-check"})
        response = conn.getresponse()
        body = response.read(MAX_POLICY_BYTES + 1)
        if len(body) > MAX_POLICY_BYTES:
            raise FetchError(f"the policy at {host} is larger than 64 KiB")
        return Response(response.status, response.getheader("Content-Type", ""), body)
    except (OSError, http.client.HTTPException) as e:
        if isinstance(e, ssl.SSLCertVerificationError):
            raise FetchError(f"TLS with {host} failed: {e.verify_message}") from None
        raise FetchError(f"HTTPS to {host} failed: {e}") from None
    finally:
        conn.close()


__all__ = ["DnsError", "FetchError", "HttpsSettings", "Response", "get"]
