"""RecordSet <-> octoDNS record data. TXT semicolons are escaped here, never by the user."""

from __future__ import annotations

import sys
from typing import Any

from .. import names
from ..recordset import RecordSet, value_data


def escape_txt(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;")


def unescape_txt(text: str) -> str:
    return text.replace("\\;", ";").replace("\\\\", "\\")


def _value(rtype: str, value: Any) -> Any:
    return escape_txt(str(value)) if rtype == "TXT" else value_data(value)


def to_octodns(rs: RecordSet, zone: str) -> tuple[str, dict[str, Any]]:
    """(zone-relative name, octoDNS data) of a record set; zone without the trailing dot."""
    data: dict[str, Any] = {"type": rs.type, "ttl": rs.ttl}
    values = [_value(rs.type, v) for v in rs.values]
    if rs.type in ("CNAME", "PTR") and len(values) == 1:
        data["value"] = values[0]
    else:
        data["values"] = values
    return names.relative(rs.name, zone), data


def compact(record: Any) -> Any:
    """An octoDNS Record's names shared: its name interned (the target's and the declaration's
    copy of a zone then hold one string per owner name) and its decoded name the same string
    when it decodes to itself (octoDNS builds a second, equal one). 85,000 record sets a side."""
    name = sys.intern(record.name)
    if record.decoded_name == name:
        record.decoded_name = name
    record.name = name
    return record
