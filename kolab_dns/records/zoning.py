"""Which zone each record set goes into, and which domains can put records into a zone.

A record set goes into the longest managed zone holding its owner name. A mail domain's own
records all lie at or below the domain, so they land in the domain's own zone, or in a zone lying
under the domain; the deployment's records (the host's, PTRs, DMARC report authorizations for
every domain) are built once and placed like any other. Knowing this per zone lets a plan of one
zone expand only the domains that can touch it, instead of the whole declaration.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from .. import names
from ..model import Declaration, MailDomain
from ..recordset import RecordSet
from .expand import deployment_records, domain_records


class Zoning:
    """The zones of a declaration, and where record sets and domains go among them.

    unmanaged_too: also give each unmanaged domain (DNS run by the customer) a zone of its own, as
    the customer would hold it, and keep its records instead of leaving them out.
    """

    shortcut = True  # skip the zone lookup of a domain's records when no zone lies below it

    def __init__(self, decl: Declaration, unmanaged_too: bool = False) -> None:
        self.decl = decl
        self.zones: dict[str, str] = decl.zone_providers()
        self.unmanaged = set(decl.unmanaged)
        if unmanaged_too:
            self.zones.update({d: "" for d in self.unmanaged if d not in self.zones})
            self.unmanaged = set()
        self._domains: dict[str, list[MailDomain]] | None = None
        self._reach: dict[str, set[str]] | None = None
        self._deployment: dict[str, list[RecordSet]] | None = None
        self._above: set[str] | None = None

    def zone_of(self, name: str) -> str | None:
        return names.longest_zone(name, self.zones)

    def group(self, recordsets: Iterable[RecordSet]) -> dict[str, list[RecordSet]]:
        """Record sets by zone; every zone is a key, empty or not."""
        out: dict[str, list[RecordSet]] = {z: [] for z in self.zones}
        for rs in recordsets:
            if rs.domain in self.unmanaged:
                continue
            zone = self.zone_of(rs.name)
            if zone is not None:
                out[zone].append(rs)
        return out

    @property
    def domains(self) -> dict[str, list[MailDomain]]:
        """zone -> the domains that can put records there: those it holds, and those it lies under."""
        return self._index()[0]

    def zones_of(self, domain: str) -> set[str]:
        """The zones a managed domain's records can land in (none for other names)."""
        return self._index()[1].get(domain, set())

    def _index(self) -> tuple[dict[str, list[MailDomain]], dict[str, set[str]]]:
        if self._reach is None:
            by_name = {d.name: d for d in self.decl.domains if d.name not in self.unmanaged}
            into: dict[str, list[MailDomain]] = {z: [] for z in self.zones}
            reach: dict[str, set[str]] = {}
            for d in by_name.values():
                zone = self.zone_of(d.name)
                reach[d.name] = set() if zone is None else {zone}
                if zone is not None:
                    into[zone].append(d)
            for zone in self.zones:  # a zone below a domain takes that domain's records under it
                parent = zone.partition(".")[2]
                while "." in parent:
                    if parent in by_name and zone not in reach[parent]:
                        into[zone].append(by_name[parent])
                        reach[parent].add(zone)
                    parent = parent.partition(".")[2]
            self._domains, self._reach = into, reach
        return self._domains or {}, self._reach

    @property
    def deployment(self) -> dict[str, list[RecordSet]]:
        """The deployment's own record sets by zone, built once; only zones that get some are keys
        (a fleet has 5,000 zones and a handful of deployment records)."""
        if self._deployment is None:
            out: dict[str, list[RecordSet]] = {}
            for rs in deployment_records(self.decl):
                if rs.domain not in self.unmanaged and (zone := self.zone_of(rs.name)) is not None:
                    out.setdefault(zone, []).append(rs)
            self._deployment = out
        return self._deployment

    def records(self, zone: str) -> list[RecordSet] | None:
        """One zone's record sets, expanding only the domains that can reach it; None if no zone."""
        if zone not in self.zones:
            return None
        own: list[RecordSet] = []
        for d in self.domains[zone]:
            recordsets = domain_records(self.decl, d)
            if not self.shortcut or d.name in self._parents() or self.zone_of(d.name) != zone:
                own += [rs for rs in recordsets if self._lands(rs, zone)]
                continue
            # No zone lies below the domain: whatever lies at or below it lands in its zone.
            inside = "." + d.name
            own += [
                rs
                for rs in recordsets
                if rs.domain not in self.unmanaged
                and (rs.name == d.name or rs.name.endswith(inside) or self.zone_of(rs.name) == zone)
            ]
        return own + self.deployment.get(zone, [])

    def _parents(self) -> set[str]:
        """Every name some zone lies strictly below."""
        if self._above is None:
            self._above = {z.split(".", i)[-1] for z in self.zones for i in range(1, z.count(".") + 1)}
        return self._above

    def _lands(self, rs: RecordSet, zone: str) -> bool:
        return rs.domain not in self.unmanaged and self.zone_of(rs.name) == zone


class ScopedZoning(Zoning):
    """Zoning that finds a zone's domains, or a domain's zones, when asked: scoping (and a plan of a
    few zones) asks about a few, and indexing all 10,000 domains cost more than the rest of it."""

    shortcut = False  # it would index every zone's parents, the cost this class avoids

    def __init__(self, decl: Declaration) -> None:
        super().__init__(decl)
        self._managed: Sequence[MailDomain] | None = None
        self._zones_text: str | None = None

    @property
    def domains(self) -> dict[str, list[MailDomain]]:  # type: ignore[override]
        return _ZoneDomains(self)

    @property
    def managed(self) -> Sequence[MailDomain]:
        if self._managed is None:
            domains = self.decl.domains
            self._managed = (
                [d for d in domains if d.name not in self.unmanaged] if self.unmanaged else domains
            )
        return self._managed

    def zones_of(self, domain: str) -> set[str]:
        if self.decl.domain(domain) is None or domain in self.unmanaged:
            return set()
        zone = self.zone_of(domain)
        below = self._below(domain)
        return below if zone is None else below | {zone}

    def _below(self, name: str) -> set[str]:
        """The zones lying below a name, found in one text of the zones' names (a fleet has 5,000)."""
        if self._zones_text is None:
            self._zones_text = "\n" + "\n".join(self.zones) + "\n"
        text, needle, out = self._zones_text, f".{name}\n", set()
        at = text.find(needle)
        while at >= 0:
            out.add(text[text.rfind("\n", 0, at) + 1 : at + len(needle) - 1])
            at = text.find(needle, at + 1)
        return out

    def zone_domains(self, zone: str) -> list[MailDomain]:
        """Those it holds and those it lies under (Zoning._index's sets; scoping compares sets)."""
        inside = [d for d in self.decl.at_or_below(zone) if d.name not in self.unmanaged]
        holds = [d for d in inside if self.zone_of(d.name) == zone]
        parents = [zone.split(".", i)[-1] for i in range(1, zone.count(".") + 1)]
        if not any(self.decl.domain(parent) for parent in parents):
            return holds  # the usual zone, lying under no domain
        return holds + [d for d in self.managed if zone.endswith("." + d.name)]


class _ZoneDomains(dict[str, list[MailDomain]]):
    def __init__(self, zoning: ScopedZoning) -> None:
        super().__init__()
        self.zoning = zoning

    def __missing__(self, zone: str) -> list[MailDomain]:
        return self.zoning.zone_domains(zone)
