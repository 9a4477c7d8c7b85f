"""KolabOwnership: the octoDNS processor that makes a sync safe next to other tools' records.

It keeps every record kolab-dns does not own exactly as the target holds it, merges shared TXT
sets value by value, deletes only what a marker says kolab-dns published before, refuses names a
foreign record blocks, and gives zones it creates their NS records. The rules are in
kolab_dns.ownership.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

from octodns.processor.base import BaseProcessor
from octodns.provider.plan import Plan
from octodns.record import Create, Record
from octodns.zone import Zone

from .. import ownership
from ..errors import KolabDnsError
from .cloudflare import keep_auto_ttl
from .convert import unescape_txt


class OwnershipConflict(KolabDnsError):
    """The declaration needs a name or record set that a foreign record holds."""


def _key(record: Record) -> tuple[str, str]:
    return record.name, record._type


def _abs(name: str, zone: Zone) -> str:
    return f"{name}.{zone.name[:-1]}" if name else zone.name[:-1]


def _values(record: Record) -> list[Any]:
    return list(getattr(record, "values", None) or [getattr(record, "value", None)])


def _txt(values: list[Any]) -> list[str]:
    return [unescape_txt(str(v)) for v in values]


class KolabOwnership(BaseProcessor):
    """Place it on every zone that a KolabSource feeds.

    adopt: take over records at names kolab-dns needs that hold other values and no marker
    (for example a customer's old MX) instead of refusing.
    """

    def __init__(self, name: str, adopt: bool = False) -> None:
        super().__init__(name)
        self.log = logging.getLogger(f"KolabOwnership[{name}]")
        self.adopt = adopt

    @staticmethod
    def _markers(existing: Zone) -> tuple[set[tuple[str, str]], set[str]]:
        """One pass over the target's markers: the (zone-relative name, type) pairs they claim,
        markers included, and the zone-relative names of their anchors."""
        owned: set[tuple[str, str]] = set()
        anchors: set[str] = set()
        zone = existing.name[:-1]

        def rel(name: str) -> str | None:
            if name == zone:
                return ""
            return name[: -len(zone) - 1] if name.endswith("." + zone) else None

        for record in existing.records:
            anchor = ownership.anchor_of(_abs(record.name, existing)) if record._type == "TXT" else None
            if anchor is None:
                continue
            owned.add(_key(record))
            if (anchor_rel := rel(anchor)) is not None:
                anchors.add(anchor_rel)
            for name, rtype in ownership.expand_marker(anchor, "".join(_txt(_values(record)))):
                if (name_rel := rel(name)) is not None:
                    # interned: the records' own names are, and a zone's markers list 85,000 sets
                    owned.add((sys.intern(name_rel), sys.intern(rtype)))
        return owned, anchors

    def process_source_and_target_zones(
        self, desired: Zone, existing: Zone, target: Any, lenient: bool = False
    ) -> tuple[Zone, Zone]:
        ours = {_key(r): r for r in desired.records}
        # Shared TXT sets (SPF, kolab-verify) live at an anchor itself; every other TXT kolab-dns
        # published (DMARC, TLS-RPT, DKIM, MTA-STS) it owned whole.
        owned_before, shared_names = self._markers(existing)
        ours_names = {name: rtype for name, rtype in ours}
        conflicts: list[str] = []

        for record in existing.records:
            key = _key(record)
            name, rtype = key
            if key in ours:
                mine = ours[key]
                if rtype == "TXT" and ownership.is_shared(rtype, _txt(_values(mine))):
                    foreign = [
                        v for v in _values(record) if not ownership.owns_txt_value(unescape_txt(str(v)))
                    ]
                    if foreign:
                        merged = sorted(set(_values(mine)) | set(foreign))
                        desired.add_record(mine.copy(values=merged), replace=True, lenient=True)
                elif (
                    key not in owned_before
                    and not self.adopt
                    and mine.data.get("values", mine.data.get("value"))
                    != record.data.get("values", record.data.get("value"))
                ):
                    conflicts.append(
                        f"{_abs(name, existing)} {rtype} holds {_values(record)!r}, which "
                        f"kolab-dns did not publish"
                    )
                continue
            if key in owned_before:
                if rtype == "TXT" and name in shared_names:
                    foreign = [
                        v for v in _values(record) if not ownership.owns_txt_value(unescape_txt(str(v)))
                    ]
                    if foreign and not str(_abs(name, existing)).startswith(ownership.MARKER_LABEL):
                        desired.add_record(record.copy(zone=desired, values=foreign), lenient=True)
                continue
            if name in ours_names and (rtype == "CNAME" or ours_names[name] == "CNAME"):
                wanted = sorted(t for n, t in ours if n == name)
                conflicts.append(
                    f"{_abs(name, existing)} holds a foreign {rtype} record, so kolab-dns "
                    f"cannot publish {'/'.join(wanted)} there"
                )
                continue
            desired.add_record(record.copy(zone=desired), lenient=True)

        if conflicts:
            raise OwnershipConflict(
                f"refusing to plan {existing.decoded_name[:-1]} on {getattr(target, 'id', target)}: "
                + "; ".join(conflicts)
                + ". Remove the foreign record, or rerun with --adopt to take it over."
            )
        keep_auto_ttl(desired, existing)  # Cloudflare: a record set on automatic TTL stays there
        return desired, existing

    def process_plan(
        self, plan: Plan | None, sources: Any, target: Any, lenient: bool = False
    ) -> Plan | None:
        """A zone this plan creates gets the declared nameservers as its root NS."""
        if plan is None or plan.exists or not getattr(target, "SUPPORTS_ROOT_NS", False):
            return plan
        if plan.desired.root_ns is not None:
            return plan
        nameservers = sorted({ns for s in sources or () for ns in getattr(s, "nameservers", ())})
        if not nameservers:
            return plan
        desired = plan.desired
        ttl = max((r.ttl for r in desired.records), default=3600)
        ns = Record.new(
            desired, "", {"type": "NS", "ttl": ttl, "values": [f"{n}." for n in nameservers]}, lenient=True
        )
        desired.add_record(ns, lenient=True)
        return Plan(
            plan.existing,
            desired,
            [*plan.changes, Create(ns)],
            plan.exists,
            update_pcent_threshold=plan.update_pcent_threshold,
            delete_pcent_threshold=plan.delete_pcent_threshold,
            meta=plan.meta,
        )
