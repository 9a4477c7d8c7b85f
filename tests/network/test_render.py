"""The three renderings, read back into (protocol, port) -> internal IP and compared with the page.

The expected table is Kolab's networking page, copied by hand here and corrected where the page
contradicts itself (see the README); the packet tests prove the same rules with the kernel.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml

from kolab_dns.network import iptables, metallb, nftables
from kolab_dns.network.model import Network

from .declarations import EXPOSED, SERVICES, declaration, section

PAGE_PUBLIC = "185.254.0.1"  # the page's own example, here only as text: no packet goes anywhere
PAGE_SERVICES = SERVICES  # the page's 10.0.1.1 .. 10.0.1.4
PAGE = EXPOSED


def page_network(extra: str = "", services: dict[str, str] | None = None) -> Network:
    body = section(PAGE_PUBLIC, "enP49p3s0f0+", "10.0.1.0/24", services or PAGE_SERVICES, extra)
    net = declaration(body, ipv4=PAGE_PUBLIC).network
    assert net is not None
    return net


def _ports(text: str, sep: str) -> list[int]:
    out: list[int] = []
    for item in text.strip("{} ").split(","):
        first, _, last = item.strip().partition(sep)
        out += range(int(first), int(last or first) + 1)
    return out


def nft_dnat(text: str) -> dict[tuple[str, int], str]:
    rules = re.findall(r"ip daddr (\S+) (tcp|udp) dport (\{[^}]*\}|\d+(?:-\d+)?) dnat ip to (\S+)", text)
    assert {r[0] for r in rules} == {PAGE_PUBLIC}
    return {(proto, p): to for _, proto, ports, to in rules for p in _ports(ports, "-")}


def ipt_dnat(text: str) -> dict[tuple[str, int], str]:
    found = {}
    for line in text.splitlines():
        if "-j DNAT" not in line:
            continue
        assert line.startswith(f"-A PREROUTING -d {PAGE_PUBLIC}/32 ")
        proto = re.search(r"-p (tcp|udp)", line)
        ports = re.search(r"--dports? (\S+)", line)
        to = re.search(r"--to-destination (\S+)", line)
        assert proto and ports and to, line
        found.update({(proto[1], p): to[1] for p in _ports(ports[1], ":")})
    return found


def test_nftables_dnats_exactly_the_page_endpoints() -> None:
    text = nftables.render(page_network())
    assert nft_dnat(text) == PAGE
    assert text.index("table inet kolab\ndelete table inet kolab\n") < text.index("table inet kolab {")
    assert 'oifname "enP49p3s0f0*" ip saddr 10.0.1.0/24 snat ip to 185.254.0.1' in text
    assert "ct state established,related accept" in text


def test_iptables_is_a_restore_file_with_the_page_endpoints() -> None:
    text = iptables.render(page_network())
    assert ipt_dnat(text) == PAGE
    body = [line for line in text.splitlines() if not line.startswith("#")]
    assert body[0] == "*nat" and body.count("COMMIT") == 2 and "*filter" in body
    assert not any(line.startswith("iptables") for line in body)  # not a list of commands
    assert "-A POSTROUTING -s 10.0.1.0/24 -o enP49p3s0f0+ -j SNAT --to-source 185.254.0.1" in body


@pytest.mark.parametrize("render", [nftables.render, iptables.render], ids=["nftables", "iptables"])
def test_the_page_mistakes_are_not_copied(render: Any) -> None:
    text = render(page_network())
    assert "10.0.2." not in text  # the page DNATs imap/submission/sieve and WebRTC to 10.0.2.3/.4
    assert "/28" not in text  # 10.0.2.3/28 is no network address
    dnat = nft_dnat(text) if render is nftables.render else ipt_dnat(text)
    assert ("udp", 4190) not in dnat  # ManageSieve never uses UDP
    assert dnat[("tcp", 3478)] == dnat[("udp", 3478)] == "10.0.1.4"  # TURN, which the page forgot
    assert "0.0.0.0/0" not in text and "0/0" not in text


@pytest.mark.parametrize("render", [nftables.render, iptables.render], ids=["nftables", "iptables"])
def test_a_sieve_ip_and_other_webrtc_ports_move_those_endpoints(render: Any) -> None:
    net = page_network("  webrtc_ports: 50000-50001\n", {**PAGE_SERVICES, "sieve": "10.0.1.5"})
    dnat = nft_dnat(render(net)) if render is nftables.render else ipt_dnat(render(net))
    expected = {k: v for k, v in PAGE.items() if k[1] not in (4190, 44444, 44445, 44446)}
    expected[("tcp", 4190)] = "10.0.1.5"
    expected.update({(proto, p): "10.0.1.4" for proto in ("tcp", "udp") for p in (50000, 50001)})
    assert dnat == expected


def test_a_plain_interface_name_is_matched_exactly() -> None:
    net = declaration(section(interface="eth0")).network
    assert net is not None
    assert 'oifname "eth0" ' in nftables.render(net) and "-o eth0 " in iptables.render(net)


_PORT_NAME = re.compile(r"^(?=.*[a-z])[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$")  # IANA_SVC_NAME, 15 at most


def metallb_docs(net: Network) -> list[dict[str, Any]]:
    return list(yaml.safe_load_all(metallb.render(net)))


def test_metallb_yaml_has_pool_advertisement_and_a_local_service_per_ip() -> None:
    docs = metallb_docs(page_network())
    kinds = [d["kind"] for d in docs]
    assert kinds == ["IPAddressPool", "L2Advertisement", "Service", "Service", "Service", "Service"]
    pool, l2, *services = docs
    assert pool["apiVersion"] == l2["apiVersion"] == "metallb.io/v1beta1"
    assert pool["spec"]["addresses"] == [f"{ip}/32" for ip in PAGE_SERVICES.values()]
    assert pool["spec"]["autoAssign"] is False
    assert l2["spec"]["ipAddressPools"] == [pool["metadata"]["name"]]
    seen = {}
    for svc in services:
        ip = svc["metadata"]["annotations"]["metallb.io/loadBalancerIPs"]
        assert "metallb.io/allow-shared-ip" not in svc["metadata"]["annotations"]
        assert svc["spec"]["type"] == "LoadBalancer"
        assert svc["spec"]["externalTrafficPolicy"] == "Local"  # keeps the client IP
        names = [p["name"] for p in svc["spec"]["ports"]]
        assert len(set(names)) == len(names) and all(_PORT_NAME.match(n) for n in names), names
        for p in svc["spec"]["ports"]:
            assert p["port"] == p["targetPort"]
            seen[(p["protocol"].lower(), p["port"])] = ip
    assert seen == PAGE


def test_metallb_services_sharing_an_ip_carry_a_sharing_key() -> None:
    net = declaration(
        section(services=dict.fromkeys(SERVICES, "10.0.1.7"), extra="  single_node: true\n")
    ).network
    assert net is not None
    pool, _, *services = metallb_docs(net)
    assert pool["spec"]["addresses"] == ["10.0.1.7/32"]
    keys = {s["metadata"]["annotations"]["metallb.io/allow-shared-ip"] for s in services}
    assert keys == {"kolab-10.0.1.7"}
