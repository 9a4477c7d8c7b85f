"""DANE TLSA (RFC 6698, RFC 7672 for SMTP): the record that pins a server's key in DNS.

kolab-dns computes `3 1 1`: DANE-EE (the server's own certificate, no CA involved), selector
SubjectPublicKeyInfo (survives renewals that keep the key), SHA-256. Pure functions: a
certificate in, the record out; the check compares published records with a live certificate.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives import serialization

from ..model import Declaration
from ..recordset import TLSA as Tlsa
from ..recordset import RecordSet

if TYPE_CHECKING:  # certificates come from callers: importing x509 costs every command 35 ms
    from cryptography import x509

FAMILY = "tlsa"
USAGES, SELECTORS, MATCHING_TYPES = range(4), range(2), range(3)
DANE_EE, DANE_TA = 3, 2
SELECTOR_CERT, SELECTOR_SPKI = 0, 1
MATCH_FULL, MATCH_SHA256, MATCH_SHA512 = 0, 1, 2
SMTP_PORT = 25


def tlsa_name(host: str, port: int = SMTP_PORT) -> str:
    return f"_{port}._tcp.{host.rstrip('.')}"


def association(cert: x509.Certificate, selector: int, mtype: int) -> str:
    """The certificate association data of RFC 6698 §2.1 for this selector and matching type."""
    if selector == SELECTOR_CERT:
        raw = cert.public_bytes(serialization.Encoding.DER)
    elif selector == SELECTOR_SPKI:
        raw = cert.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    else:
        raise ValueError(f"selector {selector} is not 0 or 1")
    if mtype == MATCH_FULL:
        return raw.hex()
    if mtype == MATCH_SHA256:
        return hashlib.sha256(raw).hexdigest()
    if mtype == MATCH_SHA512:
        return hashlib.sha512(raw).hexdigest()
    raise ValueError(f"matching type {mtype} is not 0, 1 or 2")


def dane_ee(cert: x509.Certificate) -> Tlsa:
    """`3 1 1 <sha256 of the SPKI>`: the record kolab-dns recommends."""
    return Tlsa(DANE_EE, SELECTOR_SPKI, MATCH_SHA256, association(cert, SELECTOR_SPKI, MATCH_SHA256))


def parse(text: str) -> Tlsa:
    """A TLSA rdata in presentation form (`3 1 1 ab cd…`: the hex may be split by spaces)."""
    parts = text.split()
    if len(parts) < 4 or not all(p.isascii() and p.isdigit() and len(p) < 4 for p in parts[:3]):
        raise ValueError(f"{text!r} is not `usage selector type data`")
    data = "".join(parts[3:]).lower()
    try:
        bytes.fromhex(data)
    except ValueError:
        raise ValueError(f"{text!r}: the association data is not hex") from None
    return Tlsa(int(parts[0]), int(parts[1]), int(parts[2]), data)


_DIGEST_HEX = {MATCH_SHA256: 64, MATCH_SHA512: 128}


def checked(text: str) -> str:
    """A record for the declaration (`kolab.tlsa:`), normalized; ValueError says what is wrong."""
    record = parse(text)
    for value, allowed, what in (
        (record.usage, USAGES, "usage"),
        (record.selector, SELECTORS, "selector"),
        (record.mtype, MATCHING_TYPES, "matching type"),
    ):
        if value not in allowed:
            raise ValueError(f"{text!r}: {what} {value} is not one of {', '.join(map(str, allowed))}")
    want = _DIGEST_HEX.get(record.mtype)
    if want is not None and len(record.data) != want:
        raise ValueError(
            f"{text!r}: a matching type {record.mtype} digest has {want} hex digits, not {len(record.data)}"
        )
    return str(record)


def tlsa_records(decl: Declaration) -> list[RecordSet]:
    """The declared records at `_25._tcp.<mail host>` (DANE for SMTP, RFC 7672)."""
    dep = decl.deployment
    if not dep.tlsa:
        return []
    values = tuple(parse(text) for text in dep.tlsa)
    return [RecordSet(tlsa_name(dep.hostname), "TLSA", dep.ttl, values, dep.hostname, FAMILY)]


def matches(record: Tlsa, leaf: x509.Certificate) -> bool | None:
    """Whether a record matches the server's own certificate; None when that cannot tell (a
    trust-anchor record names a CA of the chain, or the selector or type is unknown)."""
    if record.usage not in (DANE_EE, 1) or record.selector not in (0, 1) or record.mtype not in (0, 1, 2):
        return None
    return association(leaf, record.selector, record.mtype) == record.data
