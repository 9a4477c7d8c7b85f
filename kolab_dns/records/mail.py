"""Mail routing: the MX of every mail domain, and its SPF record (built by records/spf.py)."""

from __future__ import annotations

from ..model import Declaration, MailDomain
from ..recordset import MX, RecordSet
from .spf import primary_value, secondary_value

FAMILY = "mail"
MX_PREFERENCE = 10


def spf_value(decl: Declaration, domain: MailDomain) -> str:
    if domain.primary:
        return primary_value(decl.deployment.hostname, decl.deployment.spf)
    return secondary_value(decl.primary.name)


def mail_records(decl: Declaration, domain: MailDomain) -> list[RecordSet]:
    dep, d = decl.deployment, domain.name
    return [
        RecordSet(d, "MX", dep.ttl, (MX(MX_PREFERENCE, dep.hostname + "."),), d, FAMILY),
        RecordSet(d, "TXT", dep.ttl, (spf_value(decl, domain),), d, FAMILY),
    ]
