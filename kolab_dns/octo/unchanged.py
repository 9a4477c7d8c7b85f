"""Proving a zone unchanged from record data alone, before octoDNS builds a single Record.

octoDNS plans a zone by building a validated `Record` for every record set on both sides, and
KolabOwnership then merges what it finds; for a zone whose records are already right that is all
wasted work. This module decides from the plain data (what the target's populate would hand
`Record.new`, and what KolabSource would), each record set held as octoDNS would hold it (its TTL
and processed values, `held`, `wanted`), whether octoDNS plus KolabOwnership would plan nothing.
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

from .. import names, ownership
from ..recordset import RecordSet
from .convert import to_octodns, unescape_txt

Key = tuple[str, str]  # (zone-relative name, type), as octoDNS keys a zone's records
Data = dict[str, Any]  # octoDNS record data: type, ttl, value or values
Held = tuple[int, list[Any]]  # a record set as octoDNS holds it: TTL, processed and sorted values
RECORD_KEYS = frozenset({"type", "ttl", "value", "values"})  # anything else (octodns: ...) is not compared
MEMO_SIZE = 50_000  # processed values remembered: a fleet repeats most of them (MX, SRV, SPF, DMARC)


class Memo(dict[tuple[Any, ...], Any]):
    """Processed values by what they were made from, cleared when full: a fleet repeats a few
    hundred, and callers never change what they are given."""

    def remember(self, key: tuple[Any, ...], value: Any) -> Any:
        if len(self) >= MEMO_SIZE:
            self.clear()
        self[key] = value
        return value


_PROCESSED = Memo()  # (type, many, *raw values) -> values()
_WANTED = Memo()  # (type, RecordSet values) -> values() of its data


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


def wanted(zone: str, recordsets: Iterable[RecordSet]) -> dict[Key, Held | None] | None:
    """`desired()` as octoDNS would hold it (`held()` of each record's data), None where it is.

    A record set's data is a function of its type and values (`to_octodns`), and RecordSet values
    of one type are of one class (str, or a NamedTuple of ints and strs): what they process to is
    remembered by (type, values), so a fleet's repeated MX, SRV or SPF sets are processed once.
    """
    out: dict[Key, Held | None] = {}
    for rs in recordsets:
        key = (names.relative(rs.name, zone), rs.type)
        if key in out:
            return None
        memo = (rs.type, rs.values)
        processed = _WANTED.get(memo, _WANTED)
        if processed is _WANTED:
            processed = _WANTED.remember(memo, values(to_octodns(rs, zone)[1] | {"ttl": 0}))
        out[key] = None if processed is None or type(rs.ttl) is not int else (rs.ttl, processed)
    return out


def held(data: Data) -> Held | None:
    """A record's data as octoDNS would hold it, or None when octoDNS would refuse it."""
    processed = values(data)
    return None if processed is None else (data["ttl"], processed)


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
    return out if key is None else _PROCESSED.remember(key, out)


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


def unchanged(zone: str, ours: dict[Key, Held | None], target: dict[Key, Held | None] | None) -> bool:
    """Whether octoDNS with KolabOwnership would plan nothing for this zone.

    zone: without the trailing dot; ours: `wanted()`; target: the target's records as `held()`
    holds them, keyed like octoDNS keys them, or None when the zone does not exist or could not be
    read exactly. Every target record must be one octoDNS builds without complaint, or octoDNS
    would say so (a None).
    """
    if target is None or not all(key in target for key in ours):
        return False
    claimed: set[Key] = set()
    for key, theirs in target.items():
        if theirs is None:
            return False
        ttl, held_ = theirs
        if key[1] == "TXT":
            claimed |= _claims(zone, key[0], held_)
        if key not in ours:
            continue
        mine = ours[key]
        if mine is None or ttl != mine[0]:
            return False
        wanted_ = mine[1]
        if key[1] == "TXT" and ownership.is_shared("TXT", _txt(wanted_)):
            if not _same_shared_txt(wanted_, held_):
                return False
        elif wanted_ != held_:
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
