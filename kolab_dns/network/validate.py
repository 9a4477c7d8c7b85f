"""Checks of `network:` against the rest of the declaration and against the page's IP rules.

The public address is the SNAT source every outgoing mail leaves from, so receivers look up its
PTR, A and SPF: it must be one of the `kolab.ipv4` addresses kolab-dns publishes those for. That
is the point of declaring DNS and network in one file.
"""

from __future__ import annotations

from ipaddress import IPv4Address

from ..reader import Reader
from .model import CLIENT_IP_SERVICES, Network


def check_network(r: Reader, network: Network, ipv4: tuple[str, ...], warnings: list[str]) -> None:
    line = network.lines.get("network.public")
    if str(network.public) not in ipv4:
        listed = ", ".join(ipv4) if ipv4 else "nothing"
        raise r.fail(
            f"{network.public} is not among kolab.ipv4 ({listed}): mail leaves from this address, "
            "so it needs the A, PTR and SPF records kolab-dns publishes for kolab.ipv4",
            "network.public",
            line,
        )
    warnings.extend(f"{r.doc.file}:{where}" for where in shared_ip_warnings(network))


def shared_ips(network: Network, services: tuple[str, ...] | None = None) -> dict[IPv4Address, list[str]]:
    """IPs declared for more than one of `services` (default: all), with the services sharing each."""
    by_ip: dict[IPv4Address, list[str]] = {}
    for name, ip in network.services.items():
        if services is None or name in services:
            by_ip.setdefault(ip, []).append(name)
    return {ip: names for ip, names in by_ip.items() if len(names) > 1}


def shared_ip_warnings(network: Network) -> list[str]:
    """`line: key: message` for each IP that services needing the client IP share on a cluster."""
    if network.single_node:
        return []
    out = []
    for ip, names in shared_ips(network, CLIENT_IP_SERVICES).items():
        key = f"network.services.{names[-1]}"
        out.append(
            f"{network.lines.get(key, 0)}: {key}: {_and(names)} share {ip}: on a cluster MetalLB "
            "keeps the client IP only when each of them has an IP of its own (Kolab's networking page); "
            "on a single node set network.single_node: true"
        )
    return out


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
