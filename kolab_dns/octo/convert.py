"""RecordSet <-> octoDNS record data. TXT semicolons are escaped here, never by the user."""

from __future__ import annotations

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
