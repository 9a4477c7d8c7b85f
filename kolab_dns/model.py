"""The validated declaration as frozen data: what every later layer reads, and nothing more.

Built by declaration.py from YAML; read by validate.py, the record expansion, the octoDNS glue,
`check` and the CLI. It holds no behaviour beyond lookups, so it imports nothing of ours.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from operator import attrgetter
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # a type only: the model imports nothing of ours at run time
    from .network.model import Network


@dataclass(frozen=True)
class Dmarc:
    p: str = "quarantine"
    sp: str | None = None
    adkim: str | None = None
    aspf: str | None = None
    pct: int | None = None
    fo: str | None = None


@dataclass(frozen=True)
class MtaSts:
    mode: str = "enforce"
    max_age: int = 604800
    mx: tuple[str, ...] = ()  # policy mx patterns; empty means "the hostname"
    secondaries: bool = False  # deployment-wide switch: secondaries publish MTA-STS too


@dataclass(frozen=True)
class DkimKey:
    selector: str
    algorithm: str  # "rsa" or "ed25519", as in the DKIM k= tag
    public_key: str  # base64, exactly what goes after p=
    bits: int


@dataclass(frozen=True)
class Deployment:
    hostname: str
    ipv4: tuple[str, ...]
    ipv6: tuple[str, ...]
    reports: str | None
    dkim: tuple[DkimKey, ...]
    dmarc: Dmarc
    mta_sts: MtaSts
    ttl: int
    nameservers: tuple[str, ...]
    kolab_verify: bool = True
    spf: tuple[str, ...] = ()  # extra senders' SPF terms, in the primary's record
    report_authorization: str = "per-domain"  # or "wildcard": one *._report._dmarc record
    caa: tuple[str, ...] = ()  # issuer domains of the CAs that may issue for the host name
    tlsa: tuple[str, ...] = ()  # `_25._tcp.<host>` TLSA records, "usage selector type hex"


@dataclass(frozen=True)
class MailDomain:
    name: str  # IDNA form
    primary: bool
    zone: str  # the zone its records go into
    provider: str
    managed: bool = True
    mta_sts: bool = False
    kolab_verify: bool = False
    line: int = field(default=0, compare=False)  # where it is declared is not what it is


def plain_secondaries(
    rows: Iterable[tuple[str, str, str, int]], mta_sts: bool, kolab_verify: bool
) -> list[MailDomain]:
    """MailDomain(name, False, zone, provider, True, mta_sts, kolab_verify, line) for each row of
    (name, zone, provider, line). A frozen dataclass's __init__ sets every field through
    object.__setattr__, which was a third of reading a fleet's 10,000 domains; filling the new
    instance's dict makes the same object (same fields, equality, hash and repr) at a third of it."""
    out: list[MailDomain] = []
    new = object.__new__
    for name, zone, provider, line in rows:
        domain = new(MailDomain)
        fields = domain.__dict__
        fields["name"] = name
        fields["primary"] = False
        fields["zone"] = zone
        fields["provider"] = provider
        fields["managed"] = True
        fields["mta_sts"] = mta_sts
        fields["kolab_verify"] = kolab_verify
        fields["line"] = line
        out.append(domain)
    return out


_NAME, _ZONE, _PROVIDER = attrgetter("name"), attrgetter("zone"), attrgetter("provider")


@dataclass(frozen=True)
class Declaration:
    path: str
    deployment: Deployment
    zones: dict[str, str]  # declared zone -> provider
    default_provider: str
    domains: tuple[MailDomain, ...]  # primary first
    warnings: tuple[str, ...] = field(default=(), compare=False)
    lines: dict[str, int] = field(default_factory=dict, compare=False)  # key -> line, for messages
    network: Network | None = None  # the optional network: section

    @property
    def primary(self) -> MailDomain:
        return self.domains[0]

    @property
    def secondaries(self) -> tuple[MailDomain, ...]:
        return self.domains[1:]

    def zone_providers(self) -> dict[str, str]:
        """Every zone kolab-dns writes to, with its provider: declared ones and own-zone domains."""
        return dict(self._zone_providers)

    @cached_property
    def _zone_providers(self) -> dict[str, str]:  # asked for by each step of a run; kept, not shared
        managed = [d for d in self.domains if d.managed] if self.unmanaged else self.domains
        zones, providers = list(map(_ZONE, managed)), list(map(_PROVIDER, managed))
        # each zone's first domain's provider
        first = dict(zip(reversed(zones), reversed(providers), strict=True))
        out = dict.fromkeys(itertools.chain(self.zones, zones), "")  # declared zones, then the others
        out.update(first)
        out.update(self.zones)
        return out

    def domain(self, ascii_name: str) -> MailDomain | None:
        """The declared domain of this IDNA name (names.to_ascii gives it from what a user typed);
        the first, should a name be declared twice."""
        at = -1 if "\n" in ascii_name else self._names_text.find(f"\n{ascii_name}\n")
        return None if at < 0 else self.domains[self._names_text.count("\n", 0, at)]

    @cached_property
    def unmanaged(self) -> frozenset[str]:
        """The names of the domains whose DNS the customer runs."""
        return frozenset(d.name for d in self.domains if not d.managed)

    def at_or_below(self, name: str) -> list[MailDomain]:
        """The domains named `name` or lying below it, in declaration order. Looked up in one text
        of every name (C string searches), not by asking each of a fleet's 10,000 domains."""
        text = self._names_text
        starts: list[int] = []
        if "\n" in name:
            return []
        for needle in (f"\n{name}\n", f".{name}\n"):
            at = text.find(needle)
            while at >= 0:
                starts.append(at + 1 if needle[0] == "\n" else text.rfind("\n", 0, at) + 1)
                at = text.find(needle, at + 1)
        return [self.domains[text.count("\n", 0, start) - 1] for start in sorted(starts)]

    @cached_property
    def _names_text(self) -> str:
        """Every name, one a line: what domain() and at_or_below() search (once per declaration,
        cheaper than a dict of 10,000 names, searched a few times by a run)."""
        return "\n" + "\n".join(map(_NAME, self.domains)) + "\n"
