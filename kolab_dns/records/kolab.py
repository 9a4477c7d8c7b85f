"""Kolab 4's ownership proof for a secondary domain, so Kolab confirms it with no manual DNS work."""

from __future__ import annotations

import hashlib

from ..declaration import Declaration, MailDomain
from ..recordset import RecordSet


def verify_hash(domain: str) -> str:
    # md5 is Kolab 4's scheme, not a security choice of ours.
    return hashlib.md5(f"hkccp-verify-{domain}".encode(), usedforsecurity=False).hexdigest()


def kolab_records(decl: Declaration, domain: MailDomain) -> list[RecordSet]:
    if domain.primary or not domain.kolab_verify:
        return []
    d = domain.name
    return [RecordSet(f"kolab-verify.{d}", "CNAME", decl.deployment.ttl, (f"{verify_hash(d)}.{d}.",), d)]
