"""DKIM: the primary publishes each selector's key; secondaries delegate to it by CNAME."""

from __future__ import annotations

from ..model import Declaration, DkimKey, MailDomain
from ..recordset import RecordSet

FAMILY = "dkim"
VERSION = "DKIM1"
LABEL = "_domainkey"


def txt_value(key: DkimKey) -> str:
    """The DKIM TXT value; k= only where it is not the default rsa."""
    k = "" if key.algorithm == "rsa" else f"k={key.algorithm}; "
    return f"v={VERSION}; {k}p={key.public_key}"


def key_name(selector: str, domain: str) -> str:
    return f"{selector}.{LABEL}.{domain}"


def dkim_records(decl: Declaration, domain: MailDomain) -> list[RecordSet]:
    dep, d, primary = decl.deployment, domain.name, decl.primary.name
    if domain.primary:
        return [
            RecordSet(key_name(k.selector, d), "TXT", dep.ttl, (txt_value(k),), d, FAMILY) for k in dep.dkim
        ]
    return [
        RecordSet(
            key_name(k.selector, d), "CNAME", dep.ttl, (key_name(k.selector, primary) + ".",), d, FAMILY
        )
        for k in dep.dkim
    ]
