"""Fetching an MTA-STS policy the way a sending MTA does (RFC 8461 §3.3): HTTPS with the
certificate verified against the host name, no redirects, at most 64 KiB (urllib3 does each).

The host is resolved through the run's resolver (so `--nameserver` applies to it too). Two
environment settings exist for tests and staging, and weaken nothing: KOLAB_DNS_CA_BUNDLE trusts
the CAs of one PEM file instead of the system's, and KOLAB_DNS_HTTPS_CONNECT=ADDR:PORT connects
to that address instead of the resolved one (TLS still verifies the policy host's name).
"""

from __future__ import annotations

import os
import ssl
from dataclasses import dataclass

import urllib3
from urllib3.exceptions import HTTPError, SSLError

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


def _reason(e: BaseException) -> str:
    """The innermost words: urllib3 wraps the ssl or socket error that says what went wrong."""
    while isinstance(e, HTTPError) and isinstance(getattr(e, "reason", None), BaseException):
        e = e.reason  # type: ignore[attr-defined]
    if isinstance(e, ssl.SSLCertVerificationError):
        return f"{e.reason} ({e.verify_message})"
    if isinstance(e, ssl.SSLError):
        return str(e.reason or e)
    if isinstance(e, OSError) and e.strerror:
        return e.strerror
    return " ".join(str(e).split()) or e.__class__.__name__


def get(host: str, path: str, resolver: Resolver, settings: HttpsSettings) -> Response:
    """GET https://host/path, connected to the resolved (or configured) address, the certificate
    verified for host; raises FetchError or DnsError."""
    address, port = settings.connect or (resolver.address(host), 443)
    if address is None:
        raise FetchError(f"{host} has no A or AAAA record")
    pool = urllib3.HTTPSConnectionPool(
        address,
        port,
        server_hostname=host,
        assert_hostname=host,
        ssl_context=settings.context(),
        timeout=TIMEOUT,
        retries=False,
        maxsize=1,
    )
    try:
        response = pool.urlopen(
            "GET",
            path,
            headers={"Host": host, "User-Agent": "kolab-dns-check"},
            redirect=False,
            preload_content=False,
        )
        body = response.read(MAX_POLICY_BYTES + 1)
        response.release_conn()
    except SSLError as e:
        raise FetchError(f"TLS with {host} failed: {_reason(e)}") from None
    except HTTPError as e:
        raise FetchError(f"HTTPS to {host} ({address} port {port}) failed: {_reason(e)}") from None
    finally:
        pool.close()
    if len(body) > MAX_POLICY_BYTES:
        raise FetchError(f"the policy at {host} is larger than 64 KiB")
    return Response(response.status, response.headers.get("Content-Type", ""), body)


__all__ = ["DnsError", "FetchError", "HttpsSettings", "Response", "get"]
