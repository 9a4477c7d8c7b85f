"""KolabSource: an octoDNS source that expands a Kolab declaration into record sets.

Usable on its own from a plain octoDNS config::

    providers:
      kolab:
        class: kolab_dns.octo.source.KolabSource
        path: zones/kolab.yaml
    processors:
      kolab-ownership:
        class: kolab_dns.octo.processors.KolabOwnership
    zones:
      '*':
        sources: [kolab]
        processors: [kolab-ownership]
        targets: [local]
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from octodns.record import Record
from octodns.source.base import BaseSource
from octodns.zone import Zone

from .. import declaration as declaration_mod
from .. import ownership, records
from ..model import Declaration
from ..recordset import RecordSet
from .convert import compact, to_octodns

FEW_ZONES = 16  # zones planned for which finding their domains beats indexing the whole declaration


class KolabSource(BaseSource):
    SUPPORTS_GEO = False
    SUPPORTS_DYNAMIC = False
    SUPPORTS = frozenset({"A", "AAAA", "CAA", "CNAME", "MX", "NS", "PTR", "SRV", "TLSA", "TXT"})

    def __init__(
        self,
        id: str,
        path: str | None = None,
        declaration: Declaration | None = None,
        zones: Iterable[str] | None = None,
    ) -> None:
        self.log = logging.getLogger(f"KolabSource[{id}]")
        super().__init__(id)
        if declaration is None:
            if path is None:
                raise ValueError("KolabSource needs the path of a declaration")
            declaration = declaration_mod.load(path)
        self.declaration = declaration
        self._only = None if zones is None else set(zones)
        self._zoning: records.Zoning | None = None
        self._kept: dict[str, list[RecordSet]] = {}

    @property
    def nameservers(self) -> tuple[str, ...]:
        """Root NS for zones this run creates (read by the ownership processor)."""
        return self.declaration.deployment.nameservers

    @property
    def zoning(self) -> records.Zoning:
        if self._zoning is None:
            few = self._only is not None and len(self._only) <= FEW_ZONES
            self._zoning = records.ScopedZoning(self.declaration) if few else records.Zoning(self.declaration)
        return self._zoning

    def records(self, zone: str) -> list[RecordSet] | None:
        """One zone's record sets, markers included; None for a zone not served here.

        Expanded when octoDNS asks for the zone and not kept: a fleet's records never all sit in
        memory at once.
        """
        if self._only is not None and zone not in self._only:
            return None
        if zone in self._kept:
            return self._kept.pop(zone)
        rsets = self.zoning.records(zone)
        if rsets is None:
            return None
        return rsets + ownership.markers(zone, rsets, self.declaration.deployment.ttl)

    def keep(self, zone: str, recordsets: list[RecordSet]) -> None:
        """Hold a zone's record sets (markers included) for the one populate that follows."""
        self._kept[zone] = recordsets

    def list_zones(self) -> list[str]:
        return sorted(f"{z}." for z in self.zoning.zones if self._only is None or z in self._only)

    def populate(self, zone: Zone, target: bool = False, lenient: bool = False) -> bool:
        name = zone.name[:-1]
        rsets = self.records(name)
        self.log.debug("populate: zone=%s, records=%d", name, len(rsets or ()))
        if rsets is None:
            return False
        rsets.reverse()
        while rsets:  # in order, each record set let go once it is a Record
            rel, data = to_octodns(rsets.pop(), name)
            record = compact(Record.new(zone, rel, data, source=self, lenient=lenient))
            zone.add_record(record, lenient=lenient)
        return True
