"""The deployment's network as data: addresses, the services' internal IPs, and the endpoint table.

The endpoint table is Kolab's networking page written down once (service, protocol, ports); the
nftables, iptables and MetalLB renderings, the validation and the packet tests all read it, so a
port is never listed in two places.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv4Network

SERVICES = ("http", "smtp", "proxy", "turn", "sieve")
REQUIRED_SERVICES = ("http", "smtp", "proxy", "turn")
# ManageSieve is not proxied by nginx (the page wants it on an IP of its own), yet the page's NAT
# example sends 4190 to the proxy IP: without a `sieve:` IP it goes there.
FALLBACK = {"sieve": "proxy"}
# Services that need the client's own address (the page's "Client-IP"); on a cluster MetalLB keeps
# it only with a dedicated IP per service, so these must not share one.
CLIENT_IP_SERVICES = ("smtp", "proxy", "turn", "sieve")
PROTOCOLS = ("tcp", "udp")


@dataclass(frozen=True, order=True)
class PortRange:
    first: int
    last: int

    @classmethod
    def single(cls, port: int) -> PortRange:
        return cls(port, port)

    def __contains__(self, port: object) -> bool:
        return isinstance(port, int) and self.first <= port <= self.last

    def overlaps(self, other: PortRange) -> bool:
        return self.first <= other.last and other.first <= self.last

    def ports(self) -> range:
        return range(self.first, self.last + 1)

    def text(self, sep: str = "-") -> str:
        return str(self.first) if self.first == self.last else f"{self.first}{sep}{self.last}"


DEFAULT_WEBRTC = PortRange(44444, 44446)


@dataclass(frozen=True)
class Endpoint:
    """One exposed port (or range) of the public address, and the service that answers it."""

    service: str
    protocol: str  # "tcp" or "udp"
    ports: PortRange
    what: str  # the page's name for it, used in comments and Service port names


def endpoint_table(webrtc: PortRange = DEFAULT_WEBRTC) -> tuple[Endpoint, ...]:
    """The page's exposed endpoints; only the WebRTC range is configurable."""
    one = PortRange.single
    return (
        Endpoint("http", "tcp", one(80), "http"),
        Endpoint("http", "tcp", one(443), "https"),
        Endpoint("smtp", "tcp", one(25), "smtp"),
        Endpoint("proxy", "tcp", one(143), "imap"),
        Endpoint("proxy", "tcp", one(993), "imaps"),
        Endpoint("proxy", "tcp", one(465), "submissions"),
        Endpoint("proxy", "tcp", one(587), "submission"),
        Endpoint("sieve", "tcp", one(4190), "sieve"),  # TCP only: ManageSieve never uses UDP
        Endpoint("turn", "tcp", one(3478), "turn"),
        Endpoint("turn", "udp", one(3478), "turn"),
        Endpoint("turn", "tcp", webrtc, "webrtc"),
        Endpoint("turn", "udp", webrtc, "webrtc"),
    )


#: The port of each single-port endpoint, by the page's name for it: what `check --endpoints` probes.
PORTS = {e.what: e.ports.first for e in endpoint_table() if e.ports.first == e.ports.last}


@dataclass(frozen=True)
class Network:
    public: IPv4Address  # DNAT target from outside, SNAT source of everything the cluster sends
    interface: str  # iptables spelling: a trailing '+' is a wildcard
    internal: IPv4Network
    services: dict[str, IPv4Address]  # declared services only; see address()
    webrtc: PortRange = DEFAULT_WEBRTC
    single_node: bool = False
    lines: dict[str, int] = field(default_factory=dict, compare=False)  # dotted key -> line

    def owner(self, service: str) -> str:
        """The declared service that answers for a service of the table (sieve falls back to proxy)."""
        return service if service in self.services else FALLBACK[service]

    def address(self, service: str) -> IPv4Address:
        return self.services[self.owner(service)]

    def endpoints(self) -> tuple[Endpoint, ...]:
        return endpoint_table(self.webrtc)

    def by_target(self) -> list[tuple[IPv4Address, str, tuple[Endpoint, ...]]]:
        """Endpoints grouped by (internal IP, protocol), in table order: one rule each."""
        groups: dict[tuple[IPv4Address, str], list[Endpoint]] = {}
        for e in self.endpoints():
            groups.setdefault((self.address(e.service), e.protocol), []).append(e)
        return [(ip, proto, tuple(es)) for (ip, proto), es in groups.items()]

    def label(self, endpoints: tuple[Endpoint, ...]) -> str:
        """A rule's comment: `proxy: imap, imaps; smtp: smtp`, services in table order."""
        names: dict[str, list[str]] = {}
        for e in endpoints:
            names.setdefault(self.owner(e.service), []).append(e.what)
        return "; ".join(f"{service}: {', '.join(whats)}" for service, whats in names.items())

    def interface_wildcard(self) -> tuple[str, bool]:
        """(name or prefix, is a wildcard), for renderers that spell the wildcard differently."""
        if self.interface.endswith("+"):
            return self.interface[:-1], True
        return self.interface, False
