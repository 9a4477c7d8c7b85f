"""Mail routing and policy: MX, SPF, DMARC and TLS-RPT."""

from __future__ import annotations

from functools import lru_cache

from .. import spf
from ..declaration import Declaration, Dmarc, MailDomain
from ..recordset import MX, RecordSet

MX_PREFERENCE = 10


def spf_value(decl: Declaration, domain: MailDomain) -> str:
    if domain.primary:
        return spf.primary_value(decl.deployment.hostname, decl.deployment.spf)
    return spf.secondary_value(decl.primary.name)


def spf_cost(decl: Declaration, domain: MailDomain) -> spf.Cost:
    """Lookups a receiver spends on this domain's SPF, following the include of the primary."""
    dep = decl.deployment
    primary, secondary = spf.deployment_costs(dep.hostname, dep.spf, decl.primary.name)
    return primary if domain.primary else secondary


@lru_cache(maxsize=8)  # one value per deployment, asked for by every domain
def dmarc_value(policy: Dmarc, reports: str | None) -> str:
    tags = [
        ("v", "DMARC1"),
        ("p", policy.p),
        ("sp", policy.sp),
        ("pct", policy.pct),
        ("adkim", policy.adkim),
        ("aspf", policy.aspf),
    ]
    if reports:
        tags += [("rua", f"mailto:{reports}"), ("ruf", f"mailto:{reports}")]
    tags.append(("fo", policy.fo))
    return "; ".join(f"{k}={v}" for k, v in tags if v is not None)


def tlsrpt_value(reports: str) -> str:
    return f"v=TLSRPTv1; rua=mailto:{reports}"


def mail_records(decl: Declaration, domain: MailDomain) -> list[RecordSet]:
    dep, d = decl.deployment, domain.name
    out = [
        RecordSet(d, "MX", dep.ttl, (MX(MX_PREFERENCE, dep.hostname + "."),), d),
        RecordSet(d, "TXT", dep.ttl, (spf_value(decl, domain),), d),
        RecordSet(f"_dmarc.{d}", "TXT", dep.ttl, (dmarc_value(dep.dmarc, dep.reports),), d),
    ]
    if dep.reports:
        out.append(RecordSet(f"_smtp._tls.{d}", "TXT", dep.ttl, (tlsrpt_value(dep.reports),), d))
    return out
