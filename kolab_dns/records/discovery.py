"""Client autodiscovery: the Outlook autodiscover CNAME and the service (SRV) table."""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

from ..model import Declaration, MailDomain
from ..recordset import SRV, RecordSet

FAMILY = "discovery"
AUTODISCOVER = "autodiscover."  # + domain: Outlook's autodiscover host, on the primary only


class Service(NamedTuple):
    service: str
    protocol: str
    priority: int
    weight: int
    port: int


# Kolab's networking page, "For service discovery"; a TLS variant carries weight 1.
SERVICES: tuple[Service, ...] = (
    Service("autodiscover", "tcp", 0, 0, 443),
    Service("caldav", "tcp", 0, 0, 80),
    Service("caldavs", "tcp", 0, 1, 443),
    Service("carddav", "tcp", 0, 0, 80),
    Service("carddavs", "tcp", 0, 1, 443),
    Service("imap", "tcp", 0, 0, 143),
    Service("imaps", "tcp", 0, 1, 993),
    Service("sieve", "tcp", 0, 0, 4190),
    Service("submission", "tcp", 0, 1, 587),
    Service("webdav", "tcp", 0, 0, 80),
    Service("webdavs", "tcp", 0, 1, 443),
)


@lru_cache(maxsize=8)
def _srv_table(target: str) -> tuple[tuple[str, tuple[SRV, ...]], ...]:
    """(owner prefix, values) per service: the same for every domain of a deployment, built once."""
    return tuple(
        (f"_{s.service}._{s.protocol}.", (SRV(s.priority, s.weight, s.port, target),)) for s in SERVICES
    )


def has_autodiscover(domain: MailDomain) -> bool:
    """Outlook's autodiscover host is published for the primary only."""
    return domain.primary


def discovery_records(decl: Declaration, domain: MailDomain) -> list[RecordSet]:
    dep, d = decl.deployment, domain.name
    target = dep.hostname + "."
    out = [RecordSet(prefix + d, "SRV", dep.ttl, values, d, FAMILY) for prefix, values in _srv_table(target)]
    if has_autodiscover(domain):
        out.append(RecordSet(AUTODISCOVER + d, "CNAME", dep.ttl, (target,), d, FAMILY))
    return out
