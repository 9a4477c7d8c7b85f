"""The `network:` section: what it reads, its defaults, and one located error per mistake."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv4Network

import pytest

from kolab_dns.declaration import parse
from kolab_dns.errors import DeclarationError
from kolab_dns.located import load_text
from kolab_dns.network.model import DEFAULT_WEBRTC, PortRange

from ..conftest import EXAMPLE
from .declarations import PUBLIC, SERVICES, declaration, section, text


def error_for(network: str, ipv4: str = PUBLIC) -> tuple[DeclarationError, str]:
    body = text(network, ipv4)
    with pytest.raises(DeclarationError) as info:
        parse(load_text(body, "zones/kolab.yaml"))
    return info.value, body


def line_of(body: str, needle: str) -> int:
    return next(i for i, line in enumerate(body.splitlines(), 1) if needle in line)


def test_the_issue_example_reads_into_the_model() -> None:
    net = declaration().network
    assert net is not None
    assert net.public == IPv4Address(PUBLIC)
    assert net.interface == "kext+"
    assert net.internal == IPv4Network("10.0.1.0/24")
    assert {k: str(v) for k, v in net.services.items()} == SERVICES
    assert net.webrtc == DEFAULT_WEBRTC == PortRange(44444, 44446)
    assert net.single_node is False
    assert str(net.address("sieve")) == SERVICES["proxy"]  # no sieve: IP, so ManageSieve is on the proxy


def test_without_network_nothing_changes() -> None:
    plain = parse(load_text(EXAMPLE.read_text(), "zones/kolab.yaml"))
    assert plain.network is None
    with_net = parse(
        load_text(EXAMPLE.read_text() + "\n" + section(public="185.254.79.10"), "zones/kolab.yaml")
    )
    assert with_net.network is not None
    assert (with_net.deployment, with_net.domains, with_net.zones) == (
        plain.deployment,
        plain.domains,
        plain.zones,
    )


@pytest.mark.parametrize("public", ["192.0.2.1", "198.51.100.200", "203.0.113.254", "185.254.0.1"])
def test_documentation_and_real_public_addresses_are_allowed(public: str) -> None:
    assert IPv4Address(public).is_private or public == "185.254.0.1"  # Python calls RFC 5737 private
    net = declaration(section(public=public), ipv4=public).network
    assert net is not None and str(net.public) == public


def test_keys_with_defaults_can_be_overridden() -> None:
    extra = "  webrtc_ports: 40000-40010\n  single_node: true\n"
    net = declaration(
        section(interface="eth0*", services={**SERVICES, "sieve": "10.0.1.5"}, extra=extra)
    ).network
    assert net is not None
    assert net.webrtc == PortRange(40000, 40010)
    assert net.single_node is True
    assert net.interface == "eth0+"  # nftables' '*' is written the iptables way in the model
    assert str(net.address("sieve")) == "10.0.1.5"
    for value, expected in (("50000", PortRange(50000, 50000)), ("'50000:50002'", PortRange(50000, 50002))):
        net = declaration(section(extra=f"  webrtc_ports: {value}\n")).network
        assert net is not None and net.webrtc == expected


def test_one_ip_for_every_service_is_a_single_node_or_a_warning() -> None:
    same = dict.fromkeys(SERVICES, "10.0.1.7")
    warned = declaration(section(services=same))
    assert len(warned.warnings) == 1
    (warning,) = warned.warnings
    assert warning.startswith(f"zones/kolab.yaml:{line_of(text(section(services=same)), 'turn:')}: ")
    assert "smtp, proxy and turn share 10.0.1.7" in warning
    assert declaration(section(services=same, extra="  single_node: true\n")).warnings == ()


def test_http_may_share_an_ip_on_a_cluster() -> None:
    """Only the services that need the client IP need IPs of their own (HTTP has X-Forwarded-For)."""
    assert declaration(section(services={**SERVICES, "http": SERVICES["smtp"]})).warnings == ()


BAD = [
    (
        "ip outside internal",
        section(services={**SERVICES, "smtp": "10.0.2.2"}),
        "network.services.smtp",
        "outside the internal network 10.0.1.0/24",
        "smtp:",
    ),
    ("public rfc1918 10/8", section(public="10.1.2.3"), "network.public", "private (RFC 1918)", "public:"),
    (
        "public rfc1918 172.16/12",
        section(public="172.20.0.1"),
        "network.public",
        "private (RFC 1918)",
        "public:",
    ),
    (
        "public rfc1918 192.168/16",
        section(public="192.168.1.1"),
        "network.public",
        "private (RFC 1918)",
        "public:",
    ),
    ("public loopback", section(public="127.0.0.1"), "network.public", "loopback", "public:"),
    ("public link-local", section(public="169.254.10.1"), "network.public", "link-local", "public:"),
    ("public cgnat", section(public="100.64.0.1"), "network.public", "carrier-grade NAT", "public:"),
    ("public ipv6", section(public="'2001:db8::1'"), "network.public", "not an IPv4 address", "public:"),
    ("public garbage", section(public="203.0.113.300"), "network.public", "not an IPv4 address", "public:"),
    (
        "unknown service",
        section(services={**SERVICES, "imap": "10.0.1.9"}),
        "network.services.imap",
        "unknown key 'imap'",
        "imap:",
    ),
    (
        "service typo",
        section(services={**SERVICES, "smpt": "10.0.1.9"}),
        "network.services.smpt",
        "did you mean 'smtp'",
        "smpt:",
    ),
    (
        "missing service",
        section(services={k: v for k, v in SERVICES.items() if k != "turn"}),
        "network.services.turn",
        "missing required key",
        "http:",  # the reader names the mapping's first line for a missing key
    ),
    (
        "internal not a network",
        section(internal="10.0.2.3/28"),
        "network.internal",
        "not a network address (host bits are set); the network is 10.0.2.0/28",
        "internal:",
    ),
    (
        "internal without prefix",
        section(internal="10.0.1.0"),
        "network.internal",
        "no prefix length",
        "internal:",
    ),
    (
        "public inside internal",
        section(
            public="203.0.113.1",
            internal="203.0.113.0/24",
            services={k: f"203.0.113.{i + 10}" for i, k in enumerate(SERVICES)},
        ),
        "network.public",
        "inside the internal network",
        "public:",
    ),
    (
        "service on network address",
        section(services={**SERVICES, "http": "10.0.1.0"}),
        "network.services.http",
        "network address of 10.0.1.0/24",
        "http:",
    ),
    (
        "bad interface",
        section(interface="'eth 0'"),
        "network.interface",
        "not an interface name",
        "interface:",
    ),
    (
        "long interface",
        section(interface="enP49p3s0f0abcdef+"),
        "network.interface",
        "at most 15",
        "interface:",
    ),
    (
        "webrtc over turn",
        section(extra="  webrtc_ports: 3470-3480\n"),
        "network.webrtc_ports",
        "overlaps port 3478/tcp (turn",
        "webrtc_ports:",
    ),
    (
        "webrtc backwards",
        section(extra="  webrtc_ports: 44446-44444\n"),
        "network.webrtc_ports",
        "ends before it starts",
        "webrtc_ports:",
    ),
    (
        "webrtc over 65535",
        section(extra="  webrtc_ports: 65530-65540\n"),
        "network.webrtc_ports",
        "1..65535",
        "webrtc_ports:",
    ),
    (
        "single_node not boolean",
        section(extra="  single_node: yes please\n"),
        "network.single_node",
        "true or false",
        "single_node:",
    ),
    (
        "key typo",
        section(extra="  webrtc_port: 44444-44446\n"),
        "network.webrtc_port",
        "did you mean 'webrtc_ports'",
        "webrtc_port:",
    ),
    (
        "missing key",
        section().replace("  interface: kext+\n", ""),
        "network.interface",
        "missing required key",
        "public:",
    ),
    ("not a mapping", "network: 203.0.113.1\n", "network", "expected a mapping", "network:"),
]


@pytest.mark.parametrize(("what", "network", "key", "message", "where"), BAD, ids=[c[0] for c in BAD])
def test_each_mistake_is_one_located_error(
    what: str, network: str, key: str, message: str, where: str
) -> None:
    error, body = error_for(network)
    assert error.key == key, str(error)
    assert message in error.message, str(error)
    start = line_of(body, "network:")
    expected = start + next(i for i, line in enumerate(body.splitlines()[start - 1 :]) if where in line)
    assert (error.file, error.line) == ("zones/kolab.yaml", expected), str(error)


def test_public_must_be_among_kolab_ipv4() -> None:
    """The SNAT source sends the mail: it must have the A, PTR and SPF kolab-dns publishes."""
    error, body = error_for(section(public="198.51.100.9"))
    assert (error.key, error.line) == ("network.public", line_of(body, "  public: 198.51.100.9"))
    assert "not among kolab.ipv4 (203.0.113.1)" in error.message
    assert "PTR" in error.message
