"""Rendering expanded zones for people and other tools: RFC 1035 master files, YAML, JSON.

Written a zone at a time (`stream`), so a fleet's records are never all held as text or data at
once; the output is byte for byte what one dump of every zone gives.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Iterator
from typing import Any

import yaml

from . import names
from .recordset import RecordSet, value_data


def _sorted(recordsets: list[RecordSet]) -> list[RecordSet]:
    return sorted(recordsets, key=lambda r: (r.name.split(".")[::-1], r.type))


def master_file(zone: str, recordsets: list[RecordSet], soa_ns: tuple[str, ...] = ()) -> str:
    """One zone as an RFC 1035 master file; soa_ns adds an SOA and NS so it loads in a server."""
    ttl = recordsets[0].ttl if recordsets else 3600
    lines = [f"$ORIGIN {zone}.", f"$TTL {ttl}"]
    if soa_ns:
        lines.append(f"@ {ttl} IN SOA {soa_ns[0]}. hostmaster.{zone}. 1 3600 900 1209600 300")
        lines += [f"@ {ttl} IN NS {ns}." for ns in soa_ns]
    inside, cut = "." + zone, len(zone) + 1
    for rs in _sorted(recordsets):
        name = rs.name
        if name == zone:
            owner = "@"
        elif name.endswith(inside):
            owner = name[:-cut]
        else:
            owner = names.relative(name, zone)  # raises: not in the zone
        head = f"{owner} {rs.ttl} IN {rs.type} "
        if rs.type == "TXT":
            lines += [head + value for value in rs.presentation()]
        else:
            lines += [head + str(value) for value in rs.values]
    return "\n".join(lines) + "\n"


def _by_name(zone: str, recordsets: list[RecordSet]) -> Iterator[tuple[str, list[RecordSet]]]:
    """(relative name, its record sets) in output order: a name's record sets are adjacent once
    sorted."""
    name: str | None = None
    group: list[RecordSet] = []
    for rs in _sorted(recordsets):
        rel = names.relative(rs.name, zone)
        if rel != name:
            if name is not None:
                yield name, group
            name, group = rel, []
        group.append(rs)
    if name is not None:
        yield name, group


def _bodies(zone: str, recordsets: list[RecordSet]) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """(relative name, [{type, ttl, values}]): the shape of an octoDNS YAML zone file (TXT values
    unescaped)."""
    for name, group in _by_name(zone, recordsets):
        yield (
            name,
            [{"type": rs.type, "ttl": rs.ttl, "values": [value_data(v) for v in rs.values]} for rs in group],
        )


_string = json.encoder.py_encode_basestring  # as json.dumps(ensure_ascii=False) writes a string
_string = getattr(json.encoder, "c_encode_basestring", None) or _string
BATCH = 500  # owner names per YAML dump: few emitter starts, little text held


def _json(value: Any, level: int) -> str:
    """json.dumps(value, indent=2, ensure_ascii=False) nested `level` deep, for the plain data
    of _bodies (json.dumps itself takes its slow pure-Python encoder whenever it indents)."""
    kind = type(value)
    if kind is str:
        return _string(value)
    if kind is int:
        return int.__repr__(value)
    if kind is list or kind is dict:
        if not value:
            return "[]" if kind is list else "{}"
        inner = "\n" + "  " * (level + 1)
        if kind is list:
            body = ("," + inner).join([_json(v, level + 1) for v in value])
            return "[" + inner + body + "\n" + "  " * level + "]"
        items = [f"{_string(str(k))}: {_json(v, level + 1)}" for k, v in value.items()]
        return "{" + inner + ("," + inner).join(items) + "\n" + "  " * level + "}"
    return json.dumps(value)


def _json_record(rs: RecordSet) -> str:
    """One record set as _json writes its {type, ttl, values} at level 3, spelled out: most of a
    fleet's JSON is these, and the general encoder's recursion was most of its time."""
    values = ",\n          ".join([_json(value_data(v), 5) for v in rs.values])
    values = "[\n          " + values + "\n        ]" if rs.values else "[]"
    return (
        '{\n        "type": '
        + _string(rs.type)
        + ',\n        "ttl": '
        + _json(rs.ttl, 4)
        + ',\n        "values": '
        + values
        + "\n      }"
    )


def _json_zone(zone: str, recordsets: list[RecordSet]) -> Iterator[str]:
    """One zone's member of the top-level object, a name at a time."""
    yield f"  {_string(zone)}: {{"
    first = True
    for name, group in _by_name(zone, recordsets):
        body = "[\n      " + ",\n      ".join([_json_record(rs) for rs in group]) + "\n    ]"
        yield ("\n    " if first else ",\n    ") + f"{_string(name)}: {body}"
        first = False
    yield "}" if first else "\n  }"


def _yaml_zone(zone: str, recordsets: list[RecordSet]) -> Iterator[str]:
    """One zone's entry of the top-level mapping, a batch of names at a time, each batch dumped
    where it sits (under the zone's key) so the emitter lays it out as in one dump."""
    bodies = _bodies(zone, recordsets)
    head = True
    while batch := dict(itertools.islice(bodies, BATCH)):
        text = yaml.safe_dump({zone: batch}, sort_keys=False, allow_unicode=True, width=1000)
        yield text if head else text.split("\n", 1)[1]
        head = False
    if head:
        yield yaml.safe_dump({zone: {}}, sort_keys=False, allow_unicode=True, width=1000)


def stream(
    zones: Iterable[tuple[str, list[RecordSet]]], fmt: str, soa_ns: tuple[str, ...] = ()
) -> Iterator[str]:
    """The text of `render`, a zone (and within a zone, a few names) at a time."""
    first = True
    if fmt == "json":
        yield "{"
    for zone, recordsets in zones:
        if fmt == "zone":
            yield ("" if first else "\n") + master_file(zone, recordsets, soa_ns)
        elif fmt == "json":
            yield "\n" if first else ",\n"
            yield from _json_zone(zone, recordsets)
        else:
            yield from _yaml_zone(zone, recordsets)
        first = False
    if fmt == "json":
        yield "}\n" if first else "\n}\n"
    elif fmt == "yaml" and first:
        yield "{}\n"


def render(zones: dict[str, list[RecordSet]], fmt: str, soa_ns: tuple[str, ...] = ()) -> str:
    return "".join(stream(zones.items(), fmt, soa_ns))
