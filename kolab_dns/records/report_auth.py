"""DMARC external report authorization (RFC 7489 §7.1).

A receiver sends aggregate and failure reports for domain D to an address at another
organizational domain R only if R publishes `D._report._dmarc.R TXT "v=DMARC1"`. Without it the
reports of every customer domain outside the platform's own organization are silently dropped.

`report_authorization: wildcard` publishes `*._report._dmarc.R` instead, one record accepting
reports about any domain: a fleet's report zone then does not grow, nor change, with each customer.
"""

from __future__ import annotations

from collections.abc import Iterator

from .. import names
from ..model import Declaration, MailDomain
from ..recordset import RecordSet
from .dmarc import VERSION as DMARC_VERSION

FAMILY = "report-auth"
LABEL = "._report._dmarc."
VALUE = f"v={DMARC_VERSION}"


def name(domain: str, report_domain: str) -> str:
    """Where report_domain says it accepts reports about domain ('*': about any domain)."""
    return f"{domain}{LABEL}{report_domain}"


def report_domain(decl: Declaration) -> str | None:
    reports = decl.deployment.reports
    return reports.rsplit("@", 1)[1] if reports else None


def _outside(decl: Declaration) -> Iterator[MailDomain]:
    target = report_domain(decl)
    if target is not None:
        org = names.org_domain(target)
        yield from (d for d in decl.domains if names.org_domain(d.name) != org)


def needing_authorization(decl: Declaration) -> list[MailDomain]:
    """Domains whose DMARC reports go to another organizational domain."""
    return list(_outside(decl))


def report_zone(decl: Declaration) -> str | None:
    """The managed zone that holds the report domain, if kolab-dns writes it."""
    target = report_domain(decl)
    if target is None:
        return None
    domain = decl.domain(target)
    if domain is not None and not domain.managed:
        return None
    return names.longest_zone(target, decl.zone_providers())


def report_auth_records(decl: Declaration) -> list[RecordSet]:
    """Published in the report domain's zone, for every domain that needs it, managed or not."""
    target = report_domain(decl)
    if target is None or report_zone(decl) is None:
        return []
    ttl = decl.deployment.ttl
    if decl.deployment.report_authorization == "wildcard":
        if next(_outside(decl), None) is None:  # the first domain outside is enough to know
            return []
        return [RecordSet(name("*", target), "TXT", ttl, (VALUE,), target, FAMILY)]
    return [
        RecordSet(name(d.name, target), "TXT", ttl, (VALUE,), target, FAMILY)
        for d in needing_authorization(decl)
    ]
