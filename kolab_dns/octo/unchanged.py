"""Proving a zone unchanged from record data alone, before octoDNS builds a single Record.

octoDNS plans a zone by building a validated `Record` for every record set on both sides, and
KolabOwnership then merges what it finds; for a zone whose records are already right that is all
wasted work. This module decides from the plain data (what the target's populate would hand
`Record.new`, and what KolabSource would) whether octoDNS plus KolabOwnership would plan nothing.
"Unchanged" must imply exactly that; anything it cannot prove goes to octoDNS, which stays the
judge. Each condition mirrors a branch of `KolabOwnership.process_source_and_target_zones`:

- every record set kolab-dns wants is in the target with the same TTL and the same values, as
  octoDNS's own value types process them (for a shared TXT set: the values kolab-dns owns are ours,
  and other values may sit beside them);
- no target record set outside ours is one that the target's markers say kolab-dns published
  (it would be deleted);
- no foreign record set sits at one of our names with a CNAME on either side (a conflict).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any

from octodns.record import Record
from octodns.record.base import ValuesMixin

from .. import ownership
from ..recordset import RecordSet
from .convert import to_octodns, unescape_txt

Key = tuple[str, str]  # (zone-relative name, type), as octoDNS keys a zone's records
Data = dict[str, Any]  # octoDNS record data: type, ttl, value or values
RECORD_KEYS = frozenset({"type", "ttl", "value", "values"})  # anything else (octodns: ...) is not compared
MEMO_SIZE = 50_000  # processed values remembered: a fleet repeats most of them (MX, SRV, SPF, DMARC)
_PROCESSED: dict[tuple[Any, ...], list[Any]] = {}  # callers never change what they are given


def desired(zone: str, recordsets: Iterable[RecordSet]) -> dict[Key, Data] | None:
    """The data KolabSource hands octoDNS for one zone (zone without the trailing dot); None if two
    record sets share a name and type (octoDNS refuses that, and must say so)."""
    out: dict[Key, Data] = {}
    for rs in recordsets:
        name, data = to_octodns(rs, zone)
        if (name, rs.type) in out:
            return None
        out[(name, rs.type)] = data
    return out


@cache
def _value_type(rtype: str) -> tuple[Any, bool] | None:
    """octoDNS's value class for a type, and whether its records hold several values."""
    cls = Record.registered_types().get(rtype)
    if cls is None:
        return None
    return cls._value_type, issubclass(cls, ValuesMixin)


def _raw(data: Data, many: bool) -> list[Any] | None:
    """The values as the record's constructor reads them from data (ValuesMixin, ValueMixin)."""
    if not many:
        return [data["value"]] if "value" in data else None
    values = data.get("values", data.get("value", []))
    return list(values) if isinstance(values, (list, tuple)) else [values]


def values(data: Data) -> list[Any] | None:
    """The record's values exactly as octoDNS would hold them (processed, sorted), or None when
    octoDNS would refuse the data (its error is then octoDNS's to report)."""
    known = _value_type(data.get("type", ""))
    if known is None or not RECORD_KEYS.issuperset(data):
        return None
    ttl = data.get("ttl")
    if type(ttl) is not int:
        return None
    value_type, many = known
    raw = _raw(data, many)
    if raw is None:
        return None
    try:
        key = (data["type"], many, *(_frozen(v) for v in raw))
        hit = _PROCESSED.get(key)
    except TypeError:  # unhashable: process it every time
        key, hit = None, None
    if hit is not None:
        return hit
    try:
        out = sorted(value_type.process(raw)) if many else [value_type.process(raw[0])]
    except Exception:  # a value octoDNS's processing refuses: not ours to judge
        return None
    if key is not None:
        if len(_PROCESSED) >= MEMO_SIZE:
            _PROCESSED.clear()
        _PROCESSED[key] = out
    return out


def _frozen(value: Any) -> Any:
    """A hashable stand-in that is equal only for values octoDNS processes alike: type-exact,
    so '10' and 10 (or True and 1) never share a memo entry."""
    if isinstance(value, dict):
        return (dict, tuple(sorted((k, type(v), v) for k, v in value.items())))
    return (type(value), value)


def _txt(values_: list[Any]) -> list[str]:
    return [unescape_txt(str(v)) for v in values_]


def _same_shared_txt(ours: list[Any], held: list[Any]) -> bool:
    """A shared TXT set: KolabOwnership puts the target's foreign values beside ours."""
    foreign = [v for v in held if not ownership.owns_txt_value(unescape_txt(str(v)))]
    if foreign:
        merged = values({"type": "TXT", "ttl": 0, "values": sorted(set(ours) | set(foreign))})
        return merged == held
    return ours == held


def _claims(zone: str, name: str, processed: list[Any]) -> set[Key]:
    """What a target's marker at name says kolab-dns published (the marker included), as
    KolabOwnership reads it from the record's values; nothing for other TXT record sets."""
    anchor = ownership.anchor_of(f"{name}.{zone}" if name else zone)
    if anchor is None:
        return set()
    owned = {(name, "TXT")}
    for owner, rtype in ownership.expand_marker(anchor, "".join(_txt(processed))):
        if owner == zone:
            owned.add(("", rtype))
        elif owner.endswith("." + zone):
            owned.add((owner[: -len(zone) - 1], rtype))
    return owned


def unchanged(zone: str, ours: dict[Key, Data], target: dict[Key, Data] | None) -> bool:
    """Whether octoDNS with KolabOwnership would plan nothing for this zone.

    zone: without the trailing dot; ours: `desired()`; target: the target's record data keyed
    like octoDNS keys them, or None when the zone does not exist or could not be read exactly.
    Every target record must be one octoDNS builds without complaint, or octoDNS would say so.
    """
    if target is None or not all(key in target for key in ours):
        return False
    claimed: set[Key] = set()
    for key, theirs in target.items():
        held = values(theirs)
        if held is None:
            return False
        if key[1] == "TXT":
            claimed |= _claims(zone, key[0], held)
        mine = ours.get(key)
        if mine is None:
            continue
        wanted = values(mine)
        if wanted is None or theirs["ttl"] != mine["ttl"]:
            return False
        if key[1] == "TXT" and ownership.is_shared("TXT", _txt(wanted)):
            if not _same_shared_txt(wanted, held):
                return False
        elif wanted != held:
            return False
    ours_at: dict[str, set[str]] = {}
    for name, rtype in ours:
        ours_at.setdefault(name, set()).add(rtype)
    for key in target:
        if key in ours:
            continue
        if key in claimed:  # published before, no longer wanted: a delete
            return False
        name, rtype = key
        if name in ours_at and (rtype == "CNAME" or "CNAME" in ours_at[name]):  # a conflict
            return False
    return True
