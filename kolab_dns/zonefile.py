"""Rendering expanded zones for people and other tools: RFC 1035 master files, YAML, JSON."""

from __future__ import annotations

import json
from typing import Any

import yaml

from . import names
from .recordset import RecordSet, value_data


def _sorted(recordsets: list[RecordSet]) -> list[RecordSet]:
    return sorted(recordsets, key=lambda r: (tuple(reversed(r.name.split("."))), r.type))


def master_file(zone: str, recordsets: list[RecordSet], soa_ns: tuple[str, ...] = ()) -> str:
    """One zone as an RFC 1035 master file; soa_ns adds an SOA and NS so it loads in a server."""
    ttl = recordsets[0].ttl if recordsets else 3600
    lines = [f"$ORIGIN {zone}.", f"$TTL {ttl}"]
    if soa_ns:
        lines.append(f"@ {ttl} IN SOA {soa_ns[0]}. hostmaster.{zone}. 1 3600 900 1209600 300")
        lines += [f"@ {ttl} IN NS {ns}." for ns in soa_ns]
    for rs in _sorted(recordsets):
        owner = names.relative(rs.name, zone) or "@"
        lines += [f"{owner} {rs.ttl} IN {rs.type} {value}" for value in rs.presentation()]
    return "\n".join(lines) + "\n"


def as_data(zones: dict[str, list[RecordSet]]) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """{zone: {relative name: [{type, ttl, values}]}}, the shape of an octoDNS YAML zone file
    (TXT values unescaped)."""
    out: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for zone, recordsets in zones.items():
        body: dict[str, list[dict[str, Any]]] = {}
        for rs in _sorted(recordsets):
            body.setdefault(names.relative(rs.name, zone), []).append(
                {"type": rs.type, "ttl": rs.ttl, "values": [value_data(v) for v in rs.values]}
            )
        out[zone] = body
    return out


def render(zones: dict[str, list[RecordSet]], fmt: str, soa_ns: tuple[str, ...] = ()) -> str:
    if fmt == "zone":
        return "\n".join(master_file(z, rs, soa_ns) for z, rs in zones.items())
    if fmt == "json":
        return json.dumps(as_data(zones), indent=2, ensure_ascii=False) + "\n"
    return yaml.safe_dump(as_data(zones), sort_keys=False, allow_unicode=True, width=1000)
