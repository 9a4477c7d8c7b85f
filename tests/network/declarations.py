"""Declarations with a `network:` section, built from the shipped example, for the network tests.

The public side uses documentation addresses (RFC 5737), so nothing here names a real host.
"""

from __future__ import annotations

from kolab_dns.declaration import Declaration, parse
from kolab_dns.located import load_text

from ..conftest import EXAMPLE

PUBLIC = "203.0.113.1"
EXAMPLE_IPV4 = "185.254.79.10"
SERVICES = {"http": "10.0.1.1", "smtp": "10.0.1.2", "proxy": "10.0.1.3", "turn": "10.0.1.4"}
# What the public address must expose, by hand from Kolab's networking page (with the internal IPs
# its text names, not the 10.0.2.x its NAT example uses; 4190 TCP only; TURN's 3478 included).
EXPOSED = {
    **{("tcp", p): "10.0.1.1" for p in (80, 443)},
    ("tcp", 25): "10.0.1.2",
    **{("tcp", p): "10.0.1.3" for p in (143, 993, 465, 587, 4190)},
    **{(proto, p): "10.0.1.4" for proto in ("tcp", "udp") for p in (3478, 44444, 44445, 44446)},
}


def section(
    public: str = PUBLIC,
    interface: str = "kext+",
    internal: str = "10.0.1.0/24",
    services: dict[str, str] | None = None,
    extra: str = "",
) -> str:
    lines = ["network:", f"  public: {public}", f"  interface: {interface}", f"  internal: {internal}"]
    lines.append("  services:")
    lines += [f"    {name}: {ip}" for name, ip in (services or SERVICES).items()]
    return "\n".join(lines) + "\n" + extra


def text(network: str | None = None, ipv4: str = PUBLIC) -> str:
    """The shipped declaration with kolab.ipv4 set to `ipv4` and `network` appended."""
    base = EXAMPLE.read_text().replace(f"[{EXAMPLE_IPV4}]", f"[{ipv4}]")
    assert f"[{ipv4}]" in base
    return base + "\n" + (section() if network is None else network)


def declaration(network: str | None = None, ipv4: str = PUBLIC) -> Declaration:
    return parse(load_text(text(network, ipv4), "zones/kolab.yaml"))
