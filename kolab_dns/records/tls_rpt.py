"""SMTP TLS reporting (RFC 8460): where senders report failed TLS deliveries to a domain."""

from __future__ import annotations

from ..model import Declaration, MailDomain
from ..recordset import RecordSet

FAMILY = "tls-rpt"
VERSION = "TLSRPTv1"
PREFIX = "_smtp._tls."


def value(reports: str) -> str:
    return f"v={VERSION}; rua=mailto:{reports}"


def tls_rpt_records(decl: Declaration, domain: MailDomain) -> list[RecordSet]:
    """Only with a report address: the record exists to name one."""
    dep, d = decl.deployment, domain.name
    if not dep.reports:
        return []
    return [RecordSet(f"{PREFIX}{d}", "TXT", dep.ttl, (value(dep.reports),), d, FAMILY)]
