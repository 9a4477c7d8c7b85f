"""DMARC (RFC 7489): the policy record every mail domain publishes at `_dmarc.<domain>`."""

from __future__ import annotations

from functools import lru_cache

from ..model import Declaration, Dmarc, MailDomain
from ..recordset import RecordSet

FAMILY = "dmarc"
VERSION = "DMARC1"
POLICIES = ("none", "quarantine", "reject")
ALIGNMENTS = ("r", "s")
FAILURE_OPTIONS = r"[01ds](:[01ds])*"  # fo=: 0, 1, d or s, joined by ':'


@lru_cache(maxsize=8)  # one value per deployment, asked for by every domain
def value(policy: Dmarc, reports: str | None) -> str:
    tags = [
        ("v", VERSION),
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


def dmarc_records(decl: Declaration, domain: MailDomain) -> list[RecordSet]:
    dep, d = decl.deployment, domain.name
    return [RecordSet(f"_dmarc.{d}", "TXT", dep.ttl, (value(dep.dmarc, dep.reports),), d, FAMILY)]
