"""The pure expansion: a validated declaration in, record sets out. No I/O, no octoDNS."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from ..model import Declaration, MailDomain
from ..recordset import RecordSet
from .caa import caa_records
from .discovery import discovery_records
from .dkim import dkim_records
from .dmarc import dmarc_records
from .host import host_records, ptr_records
from .kolab import kolab_records
from .mail import mail_records
from .mta_sts import mta_sts_records
from .report_auth import report_auth_records
from .tls_rpt import tls_rpt_records
from .tlsa import tlsa_records

# One function per record family, in the order the spec lists them.
DOMAIN_FAMILIES: tuple[Callable[[Declaration, MailDomain], list[RecordSet]], ...] = (
    mail_records,
    dmarc_records,
    tls_rpt_records,
    discovery_records,
    mta_sts_records,
    dkim_records,
    kolab_records,
)


def domain_records(decl: Declaration, domain: MailDomain) -> list[RecordSet]:
    out: list[RecordSet] = []
    for family in DOMAIN_FAMILIES:
        out.extend(family(decl, domain))
    return out


def deployment_records(decl: Declaration) -> list[RecordSet]:
    """The records of the deployment rather than of one domain: the host's addresses, CAA and
    TLSA, its PTRs, and the DMARC report authorizations (one per domain, in the report domain's zone)."""
    return [
        *host_records(decl),
        *caa_records(decl),
        *tlsa_records(decl),
        *ptr_records(decl),
        *report_auth_records(decl),
    ]


def expand(decl: Declaration, domains: Iterable[MailDomain] | None = None) -> list[RecordSet]:
    """The deployment's records (which land in zones the chosen domains may not be in), then
    every record set of the chosen domains (default: all)."""
    chosen = decl.domains if domains is None else domains
    return [*deployment_records(decl), *(rs for d in chosen for rs in domain_records(decl, d))]
