"""Kolab 4's ownership proof for a secondary domain, so Kolab confirms it with no manual DNS work."""

from __future__ import annotations

import hashlib

from ..model import Declaration, MailDomain
from ..recordset import RecordSet

FAMILY = "kolab-verify"
LABEL = "kolab-verify"


def verify_hash(domain: str) -> str:
    """Kolab 4's token: the CNAME `kolab-verify.<domain>` to `<hash>.<domain>.`, or an apex TXT."""
    # md5 is Kolab 4's scheme, not a security choice of ours.
    return hashlib.md5(f"hkccp-verify-{domain}".encode(), usedforsecurity=False).hexdigest()


def kolab_records(decl: Declaration, domain: MailDomain) -> list[RecordSet]:
    if domain.primary or not domain.kolab_verify:
        return []
    d = domain.name
    target = f"{verify_hash(d)}.{d}."
    return [RecordSet(f"{LABEL}.{d}", "CNAME", decl.deployment.ttl, (target,), d, FAMILY)]


def apex_token(domain: str) -> str:
    """The apex TXT form of the same proof, which Kolab accepts as well."""
    return f"{LABEL}={verify_hash(domain)}"
