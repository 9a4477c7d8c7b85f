"""RecordSet: the currency between the expansion, the renderers, the checks and octoDNS.

Values are plain tuples so the pure layers never import octoDNS; TXT values are the unescaped
text as it is on the wire, and targets are FQDNs with a trailing dot.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple


class MX(NamedTuple):
    preference: int
    exchange: str

    def __str__(self) -> str:
        return f"{self.preference} {self.exchange}"


class SRV(NamedTuple):
    priority: int
    weight: int
    port: int
    target: str

    def __str__(self) -> str:
        return f"{self.priority} {self.weight} {self.port} {self.target}"


class CAA(NamedTuple):
    flags: int
    tag: str
    value: str

    def __str__(self) -> str:
        return f'{self.flags} {self.tag} "{self.value}"'


class TLSA(NamedTuple):
    usage: int
    selector: int
    mtype: int
    data: str  # lower-case hex

    def __str__(self) -> str:
        return f"{self.usage} {self.selector} {self.mtype} {self.data}"


Value = str | MX | SRV | CAA | TLSA


def value_data(value: Value) -> Any:
    """A value as octoDNS's record data (and its YAML zone files) write it; TXT unescaped."""
    if isinstance(value, MX):
        return {"preference": value.preference, "exchange": value.exchange}
    if isinstance(value, TLSA):
        return {
            "certificate_usage": value.usage,
            "selector": value.selector,
            "matching_type": value.mtype,
            "certificate_association_data": value.data,
        }
    if isinstance(value, (SRV, CAA)):
        return value._asdict()
    return value


@dataclass(frozen=True, order=True)
class RecordSet:
    name: str  # owner FQDN, IDNA, no trailing dot
    type: str
    ttl: int
    values: tuple[Value, ...]
    domain: str  # the mail domain (or reverse zone) this record serves: its ownership anchor
    family: str  # the records/ module that made it (its FAMILY), so `check` knows who judges it

    def presentation(self) -> list[str]:
        """Values in RFC 1035 master-file form."""
        if self.type == "TXT":
            return [quote_txt(str(v)) for v in self.values]
        return [str(v) for v in self.values]


def quote_txt(text: str) -> str:
    """A TXT value as quoted character-strings of at most 255 bytes each, split between characters:
    a customer's verification value may hold any UTF-8, and half a character is no character."""
    raw = text.encode("utf-8")
    chunks: list[str] = []
    start = 0
    while start < len(raw) or not chunks:
        end = min(start + 255, len(raw))
        while end < len(raw) and raw[end] & 0xC0 == 0x80:  # a continuation byte: step back
            end -= 1
        chunks.append(raw[start:end].decode("utf-8"))
        start = end
    return " ".join('"' + c.replace("\\", "\\\\").replace('"', '\\"') + '"' for c in chunks)
