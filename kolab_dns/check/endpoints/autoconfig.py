"""What mail clients are told to configure: Thunderbird's autoconfig (`clientConfig` 1.1) and
Outlook's POX autodiscover (MS-OXDISCO), parsed into the IMAP and SMTP servers they name.

Only IMAP and SMTP entries are judged: each must name the mail host on a port Kolab serves with
the matching security (993 SSL or 143 STARTTLS; 465 SSL or 587 STARTTLS).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import NamedTuple

OUTLOOK_REQUEST = (
    '<?xml version="1.0" encoding="utf-8"?>\n'
    '<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006">'
    "<Request><EMailAddress>{address}</EMailAddress>"
    "<AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/"
    "responseschema/2006a</AcceptableResponseSchema></Request></Autodiscover>"
)
# (kind, port) -> the socket type a client must use there
ALLOWED = {("imap", 993): "SSL", ("imap", 143): "STARTTLS", ("smtp", 465): "SSL", ("smtp", 587): "STARTTLS"}


class ConfigError(ValueError):
    """A document that is not the expected XML."""


class Server(NamedTuple):
    kind: str  # imap or smtp
    host: str
    port: int
    security: str  # SSL, STARTTLS, plain, or "" when the format does not say

    def __str__(self) -> str:
        return f"{self.kind} {self.host} {self.port} {self.security or '(security unspecified)'}".rstrip()


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(elem: ET.Element, name: str) -> str:
    for child in elem:
        if _local(child.tag) == name:
            return (child.text or "").strip()
    return ""


def _port(text: str, where: str) -> int:
    if not text.isdigit():
        raise ConfigError(f"{where}: port {text!r} is not a number")
    return int(text)


def _root(body: bytes, name: str) -> ET.Element:
    try:
        root = ET.fromstring(body)
    except ET.ParseError as e:
        raise ConfigError(f"not XML ({e})") from None
    if _local(root.tag) != name:
        raise ConfigError(f"the root element is <{_local(root.tag)}>, not <{name}>")
    return root


def thunderbird(body: bytes) -> list[Server]:
    root = _root(body, "clientConfig")
    out = []
    for elem in root.iter():
        tag, kind = _local(elem.tag), elem.get("type", "").lower()
        if tag in ("incomingServer", "outgoingServer") and kind in ("imap", "smtp"):
            security = {"ssl": "SSL", "starttls": "STARTTLS", "plain": "plain"}.get(
                _child(elem, "socketType").lower(), _child(elem, "socketType")
            )
            out.append(
                Server(kind, _child(elem, "hostname").lower(), _port(_child(elem, "port"), tag), security)
            )
    return out


def outlook(body: bytes) -> list[Server]:
    root = _root(body, "Autodiscover")
    for elem in root.iter():
        if _local(elem.tag) == "Error":
            raise ConfigError(f"an error response: {_child(elem, 'Message') or _child(elem, 'ErrorCode')}")
    out = []
    for elem in root.iter():
        kind = _child(elem, "Type").lower() if _local(elem.tag) == "Protocol" else ""
        if kind in ("imap", "smtp"):
            ssl = _child(elem, "SSL").lower() != "off"  # MS-OXDISCO: on when absent
            encryption = _child(elem, "Encryption").upper()
            security = {"SSL": "SSL", "TLS": "STARTTLS", "NONE": "plain"}.get(
                encryption, "" if ssl else "plain"
            )
            out.append(
                Server(
                    kind, _child(elem, "Server").lower(), _port(_child(elem, "Port"), "Protocol"), security
                )
            )
    return out


def expected(host: str) -> tuple[str, ...]:
    return (f"imap {host} 993 SSL or 143 STARTTLS", f"smtp {host} 465 SSL or 587 STARTTLS")


def wrong(servers: list[Server], host: str) -> list[str]:
    """What a client would get wrong; empty when the document is right."""
    problems = []
    for kind in ("imap", "smtp"):
        if not any(s.kind == kind for s in servers):
            problems.append(f"no {kind.upper()} server")
    for s in servers:
        allowed = ALLOWED.get((s.kind, s.port))
        if s.host.rstrip(".") != host:
            problems.append(f"{s}: the server is not {host}")
        elif allowed is None:
            problems.append(f"{s}: Kolab serves no {s.kind.upper()} on port {s.port}")
        elif s.security and s.security != allowed:
            problems.append(f"{s}: port {s.port} needs {allowed}")
    return problems
