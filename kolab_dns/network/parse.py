"""The declaration's `network:` section, read into the model with one located error per mistake.

Every check that needs only this section lives here; those that compare it with `kolab:` are in
validate.py. All of them run while the declaration loads, so a mistake stops `plan` and `sync`
before anything is written, and `network render` never prints rules built on a wrong address.
"""

from __future__ import annotations

import re
from ipaddress import IPv4Address, IPv4Network, ip_network
from typing import Any

from .. import names
from ..located import LDict
from ..reader import Reader
from .model import DEFAULT_WEBRTC, REQUIRED_SERVICES, SERVICES, Network, PortRange, endpoint_table
from .validate import check_network

KEYS = ("public", "interface", "internal", "services", "webrtc_ports", "single_node")
REQUIRED = ("public", "interface", "internal", "services")

# Where the internet cannot reach, so no public address. The documentation ranges (192.0.2.0/24,
# 198.51.100.0/24, 203.0.113.0/24) are left out on purpose: tests and examples use them.
NOT_PUBLIC = tuple(
    (ip_network(net), why)
    for net, why in (
        ("0.0.0.0/8", "'this network' (RFC 1122)"),
        ("10.0.0.0/8", "private (RFC 1918)"),
        ("100.64.0.0/10", "carrier-grade NAT space (RFC 6598)"),
        ("127.0.0.0/8", "loopback"),
        ("169.254.0.0/16", "link-local"),
        ("172.16.0.0/12", "private (RFC 1918)"),
        ("192.168.0.0/16", "private (RFC 1918)"),
        ("198.18.0.0/15", "benchmarking space (RFC 2544)"),
        ("224.0.0.0/4", "multicast"),
        ("240.0.0.0/4", "reserved"),
    )
)
# Linux interface names are at most 15 bytes; iptables and nftables match a prefix with '+'/'*'.
_INTERFACE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*[+*]?$")
# ASCII digits, few enough for int() (which refuses over 4,300 of them with a ValueError of its own)
_RANGE = re.compile(r"^\s*([0-9]{1,9})\s*[-:]\s*([0-9]{1,9})\s*$")


def read_network(r: Reader, top: LDict, ipv4: tuple[str, ...], warnings: list[str]) -> Network | None:
    """The top level's `network:` as a Network, None without one; `public` must be in `ipv4` (kolab.ipv4)."""
    if "network" not in top:
        return None
    line = top.lines["network"]
    net = r.mapping(top["network"], "network", line, KEYS, required=REQUIRED)
    ln = net.lines.get
    lines = {"network": line, **{f"network.{k}": v for k, v in net.lines.items()}}
    public = _public(r, net["public"], ln("public"))
    internal = _internal(r, net["internal"], ln("internal"))
    if public in internal:
        raise r.fail(
            f"{public} lies inside the internal network {internal}: the public address is the outside one",
            "network.public",
            ln("public"),
        )
    services = r.mapping(net["services"], "network.services", ln("services"), SERVICES, REQUIRED_SERVICES)
    addresses = {}
    for name, raw in services.items():
        key, sline = f"network.services.{name}", services.lines[name]
        addresses[name] = _service_ip(r, raw, key, sline, internal)
        lines[key] = sline
    webrtc = DEFAULT_WEBRTC
    if "webrtc_ports" in net:
        webrtc = _webrtc(r, net["webrtc_ports"], ln("webrtc_ports"))
    single = r.typed(
        net.get("single_node", False), bool, "network.single_node", ln("single_node"), "true or false"
    )
    network = Network(
        public=public,
        interface=_interface(r, net["interface"], ln("interface")),
        internal=internal,
        services=addresses,
        webrtc=webrtc,
        single_node=single,
        lines=lines,
    )
    check_network(r, network, ipv4, warnings)
    return network


def _ipv4(r: Reader, value: Any, key: str, line: int | None) -> IPv4Address:
    r.typed(value, str, key, line, "an IPv4 address")
    return IPv4Address(r.parsed(value.strip(), lambda v: names.ip_text(v, 4), key, line))


def _public(r: Reader, value: Any, line: int | None) -> IPv4Address:
    ip = _ipv4(r, value, "network.public", line)
    for net, why in NOT_PUBLIC:
        if ip in net:
            raise r.fail(
                f"{ip} is {why} ({net}): the internet cannot reach it, so it cannot be the public address",
                "network.public",
                line,
            )
    return ip


def _internal(r: Reader, value: Any, line: int | None) -> IPv4Network:
    r.typed(value, str, "network.internal", line, "an IPv4 network such as 10.0.1.0/24")
    text = value.strip()
    if "/" not in text:
        raise r.fail(
            f"{value!r} has no prefix length; write it as a network, e.g. 10.0.1.0/24",
            "network.internal",
            line,
        )
    try:
        return IPv4Network(text)
    except ValueError:
        pass
    try:
        loose = ip_network(text, strict=False)
    except ValueError:
        raise r.fail(f"{value!r} is not an IPv4 network", "network.internal", line) from None
    if not isinstance(loose, IPv4Network):
        raise r.fail(
            f"{value!r} is not an IPv4 network (the NAT rules are IPv4 only)", "network.internal", line
        )
    raise r.fail(
        f"{value!r} is not a network address (host bits are set); the network is {loose}",
        "network.internal",
        line,
    )


def _service_ip(r: Reader, value: Any, key: str, line: int, internal: IPv4Network) -> IPv4Address:
    ip = _ipv4(r, value, key, line)
    if ip not in internal:
        raise r.fail(f"{ip} is outside the internal network {internal}", key, line)
    if internal.prefixlen <= 30 and ip in (internal.network_address, internal.broadcast_address):
        what = "network" if ip == internal.network_address else "broadcast"
        raise r.fail(f"{ip} is the {what} address of {internal}, not a host", key, line)
    return ip


def _interface(r: Reader, value: Any, line: int | None) -> str:
    key = "network.interface"
    r.typed(value, str, key, line, "an interface name such as eth0 or enp1s0+")
    if not _INTERFACE.match(value):
        raise r.fail(
            f"{value!r} is not an interface name (letters, digits, '_', '.', '-'; a trailing '+' "
            "matches every interface with that prefix)",
            key,
            line,
        )
    if len(value) > 15:
        raise r.fail(f"{value!r} is {len(value)} bytes; Linux interface names have at most 15", key, line)
    return value[:-1] + "+" if value.endswith("*") else value


def _webrtc(r: Reader, value: Any, line: int | None) -> PortRange:
    key = "network.webrtc_ports"
    if isinstance(value, int) and not isinstance(value, bool):
        first = last = value
    else:
        r.typed(value, str, key, line, "a port or a range such as 44444-44446")
        m = _RANGE.match(value)
        if not m:
            raise r.fail(f"{value!r} is not a port or a range such as 44444-44446", key, line)
        first, last = int(m.group(1)), int(m.group(2))
    if not (1 <= first <= 65535 and 1 <= last <= 65535):
        raise r.fail(f"{value!r}: ports are 1..65535", key, line)
    if first > last:
        raise r.fail(f"{value!r}: the range ends before it starts", key, line)
    webrtc = PortRange(first, last)
    for e in endpoint_table(webrtc):
        if e.what != "webrtc" and e.ports.overlaps(webrtc):
            raise r.fail(
                f"{webrtc.text()} overlaps port {e.ports.text()}/{e.protocol} ({e.what}, service "
                f"{e.service}): one public port can reach one service only",
                key,
                line,
            )
    return webrtc
