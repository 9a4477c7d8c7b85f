"""The plain-text dialogues that lead to TLS, as data: SMTP, IMAP and ManageSieve.

Each is a greeting, an optional capability request, the line that shows STARTTLS is offered, and
the STARTTLS command. An implicit-TLS port (465, 993) speaks only the greeting, after the
handshake. The table of services says which port speaks which dialogue.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ...network.model import PORTS


@dataclass(frozen=True)
class Exchange:
    send: str | None  # a command line ({client}: our address literal); None: only read
    last: re.Pattern[str]  # the line that ends the server's answer
    ok: re.Pattern[str]  # the answer's last line must match this


@dataclass(frozen=True)
class Dialogue:
    protocol: str
    greeting: Exchange
    capabilities: Exchange | None  # None: the greeting lists them (ManageSieve)
    offers_starttls: re.Pattern[str]  # a line of the greeting or capabilities
    starttls: Exchange


_SMTP_LAST = re.compile(r"^\d{3}(?: |$)")
_SIEVE_LAST = re.compile(r"^(?:OK|NO|BYE)\b", re.I)
_SIEVE_OK = re.compile(r"^OK\b", re.I)

SMTP = Dialogue(
    "SMTP",
    greeting=Exchange(None, _SMTP_LAST, re.compile(r"^220")),
    capabilities=Exchange("EHLO {client}", _SMTP_LAST, re.compile(r"^250")),
    offers_starttls=re.compile(r"^250[ -]STARTTLS\s*$", re.I),
    starttls=Exchange("STARTTLS", _SMTP_LAST, re.compile(r"^220")),
)
IMAP = Dialogue(
    "IMAP",
    greeting=Exchange(None, re.compile(r"^\* "), re.compile(r"^\* OK\b", re.I)),
    capabilities=Exchange("k1 CAPABILITY", re.compile(r"^k1 "), re.compile(r"^k1 OK\b", re.I)),
    offers_starttls=re.compile(r"^\* CAPABILITY\b.*\bSTARTTLS\b", re.I),
    starttls=Exchange("k2 STARTTLS", re.compile(r"^k2 "), re.compile(r"^k2 OK\b", re.I)),
)
SIEVE = Dialogue(
    "ManageSieve",
    greeting=Exchange(None, _SIEVE_LAST, _SIEVE_OK),
    capabilities=None,
    offers_starttls=re.compile(r'^"STARTTLS"', re.I),
    starttls=Exchange("STARTTLS", _SIEVE_LAST, _SIEVE_OK),
)


@dataclass(frozen=True)
class Service:
    port: int
    check: str  # the Result check name
    dialogue: Dialogue | None  # None: HTTPS, TLS from the first byte and no greeting
    implicit: bool  # TLS from the first byte; else STARTTLS after the dialogue

    @property
    def label(self) -> str:
        if self.dialogue is None:
            return "HTTPS"
        return self.dialogue.protocol + (" (TLS)" if self.implicit else " (STARTTLS)")


# The ports are those of Kolab's networking page, "Exposed endpoints" (network/model.py's table).
SMTP_MX = Service(PORTS["smtp"], "smtp", SMTP, implicit=False)
HTTPS = Service(PORTS["https"], "https", None, implicit=True)
CLIENT_SERVICES = (
    Service(PORTS["submissions"], "submission", SMTP, implicit=True),
    Service(PORTS["submission"], "submission", SMTP, implicit=False),
    Service(PORTS["imap"], "imap", IMAP, implicit=False),
    Service(PORTS["imaps"], "imap", IMAP, implicit=True),
    Service(PORTS["sieve"], "sieve", SIEVE, implicit=False),
)
BY_PORT = {s.port: s for s in (SMTP_MX, *CLIENT_SERVICES, HTTPS)}
