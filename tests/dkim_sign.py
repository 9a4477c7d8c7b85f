"""Sign and verify with dkimpy, the way a receiving MTA would, to prove a generated key works."""

from __future__ import annotations

from collections.abc import Callable

import dkim

MESSAGE = (
    b"From: Alice <alice@kolab-secondary.klab.cc>\r\n"
    b"To: bob@example.org\r\n"
    b"Subject: DKIM proof\r\n"
    b"\r\n"
    b"Signed by kolab-dns's new key.\r\n"
)

DnsFunc = Callable[..., bytes | None]


def sign(private_key: bytes, selector: str, domain: str, algorithm: str = "rsa") -> bytes:
    """MESSAGE with a DKIM-Signature header prepended (d=domain, s=selector)."""
    header = dkim.sign(
        MESSAGE,
        selector.encode(),
        domain.encode(),
        private_key,
        signature_algorithm=b"ed25519-sha256" if algorithm == "ed25519" else b"rsa-sha256",
        include_headers=[b"from", b"to", b"subject"],
    )
    return header + MESSAGE


def tampered(signed: bytes) -> bytes:
    return signed.replace(b"new key.", b"old key.")


def verify(signed: bytes, dnsfunc: DnsFunc) -> bool:
    return bool(dkim.verify(signed, dnsfunc=dnsfunc))
