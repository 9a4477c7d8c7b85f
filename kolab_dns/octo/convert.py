"""RecordSet <-> octoDNS record data. TXT semicolons are escaped here, never by the user."""

from __future__ import annotations

from typing import Any

from .. import names
from ..recordset import CAA, MX, SRV, RecordSet


def escape_txt(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;")


def unescape_txt(text: str) -> str:
    return text.replace("\\;", ";").replace("\\\\", "\\")


def _value(rtype: str, value: Any) -> Any:
    if isinstance(value, MX):
        return {"preference": value.preference, "exchange": value.exchange}
    if isinstance(value, SRV):
        return {
            "priority": value.priority,
            "weight": value.weight,
            "port": value.port,
            "target": value.target,
        }
    if isinstance(value, CAA):
        return {"flags": value.flags, "tag": value.tag, "value": value.value}
    if rtype == "TXT":
        return escape_txt(str(value))
    return value


def to_octodns(rs: RecordSet, zone: str) -> tuple[str, dict[str, Any]]:
    """(zone-relative name, octoDNS data) of a record set; zone without the trailing dot."""
    data: dict[str, Any] = {"type": rs.type, "ttl": rs.ttl}
    values = [_value(rs.type, v) for v in rs.values]
    if rs.type in ("CNAME", "PTR") and len(values) == 1:
        data["value"] = values[0]
    else:
        data["values"] = values
    return names.relative(rs.name, zone), data
