"""STUN on UDP 3478 (coturn, for Kolab Meet): a binding request must get a binding response.

The request is the 20-byte header of RFC 5389 §6 (Binding, no attributes, the magic cookie, a
random transaction id), retransmitted after 0.5, 1 and 2 s as §7.2.1 does (shortened: a check
should not wait 39.5 s). The answer's XOR-MAPPED-ADDRESS is shown: where the server saw us.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import struct
from dataclasses import dataclass

from ...network.model import PORTS
from ..context import CheckContext
from ..results import Result, Status
from .targets import target
from .tls_probe import Target

CHECK = "stun"
PORT = PORTS["turn"]
MAGIC = 0x2112A442
BINDING_REQUEST, BINDING_SUCCESS = 0x0001, 0x0101
MAPPED_ADDRESS, XOR_MAPPED_ADDRESS = 0x0001, 0x0020
WAITS = (0.5, 1.0, 2.0)


class StunError(Exception):
    """No binding response: the reason in a report's words."""


@dataclass(frozen=True)
class Binding:
    mapped: str  # ip:port the server saw, or "" when it named none
    tries: int


def request(transaction: bytes) -> bytes:
    return struct.pack("!HHI", BINDING_REQUEST, 0, MAGIC) + transaction


def _address(kind: int, value: bytes, transaction: bytes) -> str:
    family, port = value[1], struct.unpack("!H", value[2:4])[0]
    raw = value[4 : 8 if family == 1 else 20]
    if kind == XOR_MAPPED_ADDRESS:
        port ^= MAGIC >> 16
        key = struct.pack("!I", MAGIC) + transaction
        raw = bytes(b ^ k for b, k in zip(raw, key, strict=False))
    ip = ipaddress.ip_address(raw)
    return f"[{ip}]:{port}" if ip.version == 6 else f"{ip}:{port}"


def parse_response(data: bytes, transaction: bytes) -> str | None:
    """The mapped address of a binding success for our transaction ("" if it names none);
    None when the datagram is not that answer."""
    if len(data) < 20:
        return None
    kind, length, cookie = struct.unpack("!HHI", data[:8])
    if kind != BINDING_SUCCESS or cookie != MAGIC or data[8:20] != transaction or len(data) < 20 + length:
        return None
    found: dict[int, str] = {}
    at = 20
    while at + 4 <= 20 + length:
        attr, size = struct.unpack("!HH", data[at : at + 4])
        value = data[at + 4 : at + 4 + size]
        if attr in (MAPPED_ADDRESS, XOR_MAPPED_ADDRESS) and len(value) >= 8:
            found[attr] = _address(attr, value, transaction)
        at += 4 + size + (-size % 4)
    return found.get(XOR_MAPPED_ADDRESS) or found.get(MAPPED_ADDRESS) or ""


def binding(address: str, port: int = PORT, waits: tuple[float, ...] = WAITS) -> Binding:
    family, kind, proto, _, sockaddr = socket.getaddrinfo(address, port, type=socket.SOCK_DGRAM)[0]
    transaction = os.urandom(12)
    with socket.socket(family, kind, proto) as sock:
        sock.connect(sockaddr)
        for tries, wait in enumerate(waits, 1):
            try:
                sock.send(request(transaction))
                sock.settimeout(wait)
                while True:  # skip strays until our answer or the timeout
                    mapped = parse_response(sock.recv(2048), transaction)
                    if mapped is not None:
                        return Binding(mapped, tries)
            except TimeoutError:
                continue
            except ConnectionRefusedError:
                raise StunError("ICMP port unreachable: nothing listens on UDP port " + str(port)) from None
            except OSError as e:
                raise StunError(e.strerror or str(e)) from None
    raise StunError(f"no answer to {len(waits)} binding requests within {sum(waits):g} s")


def check(ctx: CheckContext) -> list[Result]:
    host = ctx.decl.deployment.hostname
    where = target(ctx, host, CHECK, host, PORT)
    if isinstance(where, Result):
        return [where]
    return [judge(host, where)]


def judge(domain: str, where: Target) -> Result:
    subject = f"{where.name} STUN (UDP)"
    expected = ("a binding response (RFC 5389)",)
    try:
        answer = binding(where.address, where.port)
    except (StunError, OSError) as e:
        hint = (
            f"start the TURN server (coturn) on {where.host} and let UDP {where.port} through "
            "(firewall, NAT to the TURN address): Kolab Meet needs it"
        )
        return Result(domain, CHECK, subject, Status.FAIL, expected, (str(e),), hint)
    seen = f", mapped address {answer.mapped}" if answer.mapped else ""
    return Result(domain, CHECK, subject, Status.OK, expected, (f"binding response{seen}",))
