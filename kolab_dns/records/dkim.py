"""DKIM: the primary publishes each selector's key; secondaries delegate to it by CNAME."""

from __future__ import annotations

from ..declaration import Declaration, MailDomain
from ..recordset import RecordSet


def dkim_records(decl: Declaration, domain: MailDomain) -> list[RecordSet]:
    dep, d, primary = decl.deployment, domain.name, decl.primary.name
    if domain.primary:
        return [RecordSet(f"{k.selector}._domainkey.{d}", "TXT", dep.ttl, (k.txt,), d) for k in dep.dkim]
    return [
        RecordSet(
            f"{k.selector}._domainkey.{d}", "CNAME", dep.ttl, (f"{k.selector}._domainkey.{primary}.",), d
        )
        for k in dep.dkim
    ]
