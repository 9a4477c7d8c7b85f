"""The rendered rules, loaded into a real kernel, judged by the packets that get through.

A client "on the internet" contacts the public address on every exposed port and on ports the page
does not expose, over TCP and UDP; listeners on every service IP of the cluster answer with the
address the packet arrived at and the peer they saw. The same for the nftables and the iptables
rendering, and once without any rules, to show the probes can fail. Namespaces: netns.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from kolab_dns.network import iptables, nftables
from kolab_dns.network.model import Network

from .declarations import EXPOSED, SERVICES, declaration, section
from .netns import CLIENT, EXTERNAL, PUBLIC, SERVICE_IPS, Lab, require, wait_for

NOT_EXPOSED = (22, 110, 3479, 5349, 8080, 44443, 44447, 50000)
PORTS = sorted({port for _, port in EXPOSED} | set(NOT_EXPOSED))
PROTOCOLS = ("tcp", "udp")


def network(extra: str = "") -> Network:
    net = declaration(section(PUBLIC, EXTERNAL, "10.0.1.0/24", SERVICES, extra)).network
    assert net is not None
    return net


def _load_nft(lab: Lab, path: Path) -> str:
    lab.exec(lab.gateway, "nft", "-f", str(path))
    return lab.exec(lab.gateway, "nft", "list", "ruleset")


def _load_iptables(lab: Lab, path: Path) -> str:
    lab.exec(lab.gateway, "iptables-restore", str(path))
    saved = lab.exec(lab.gateway, "iptables-save")
    return "\n".join(line.split(" [")[0] for line in saved.splitlines() if not line.startswith("#"))


FORMATS: dict[str, tuple[Callable[[Network], str], Callable[[Lab, Path], str], tuple[str, ...]]] = {
    "nftables": (nftables.render, _load_nft, ("nft",)),
    "iptables": (iptables.render, _load_iptables, ("iptables-restore", "iptables-save")),
}


@pytest.fixture
def lab(request: pytest.FixtureRequest) -> Iterator[Lab]:
    require("ip")
    lab = Lab()
    request.addfinalizer(lab.close)  # before anything exists: a half-built lab is removed too
    lab.build()
    yield lab


@pytest.fixture
def cluster(lab: Lab) -> Any:
    """Listeners on every probed port of every service IP, so a wrong DNAT target would answer."""
    return lab.listen(
        lab.cluster, [f"{p}:{ip}:{port}" for ip in SERVICE_IPS for p in PROTOCOLS for port in PORTS]
    )


def load(lab: Lab, fmt: str, tmp_path: Path) -> None:
    """Load an older rendering first, then the real one twice: it must replace, never stack."""
    render, loader, tools = FORMATS[fmt]
    require(*tools)
    older = tmp_path / "older"
    older.write_text(render(network("  webrtc_ports: 50000-50001\n")))
    loader(lab, older)
    current = tmp_path / "current"
    current.write_text(render(network()))
    first = loader(lab, current)
    assert loader(lab, current) == first
    assert "50000" not in first


def public_targets() -> list[str]:
    return [f"{proto}:{PUBLIC}:{port}" for proto in PROTOCOLS for port in PORTS]


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_each_endpoint_reaches_its_service_with_the_client_address(
    fmt: str, lab: Lab, cluster: Any, tmp_path: Path
) -> None:
    load(lab, fmt, tmp_path)
    answers = lab.probe(lab.client, public_targets())
    wrong = {}
    for target, answer in answers.items():
        proto, _, port = target.split(":")
        expected = EXPOSED.get((proto, int(port)))
        got = None if answer is None else (answer["local"][0], int(answer["local"][1]), answer["peer"][0])
        if got != (None if expected is None else (expected, int(port), CLIENT)):
            wrong[target] = {"expected": expected, "answer": answer}
    assert wrong == {}

    def reached() -> set[tuple[str, int]]:
        return {(c["proto"], c["local"][1]) for c in cluster.contacts}

    wait_for(lambda: reached() >= set(EXPOSED))  # the listener's report is read by a thread
    assert reached() == set(EXPOSED)  # nothing else got to a listener either


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_the_cluster_cannot_be_reached_around_the_nat(
    fmt: str, lab: Lab, cluster: Any, tmp_path: Path
) -> None:
    """A packet routed to an internal IP directly is dropped, even on an exposed port."""
    load(lab, fmt, tmp_path)
    direct = [f"{proto}:{ip}:{port}" for (proto, port), ip in EXPOSED.items()]
    assert lab.probe(lab.client, direct) == dict.fromkeys(direct)
    assert cluster.contacts == []


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_the_cluster_leaves_from_the_public_address(fmt: str, lab: Lab, tmp_path: Path) -> None:
    load(lab, fmt, tmp_path)
    outside = lab.listen(lab.client, [f"tcp:{CLIENT}:25", f"udp:{CLIENT}:3478"])
    for source in SERVICE_IPS:
        answers = lab.probe(lab.cluster, [f"tcp:{CLIENT}:25", f"udp:{CLIENT}:3478"], source=source)
        seen = {target: answer and answer["peer"][0] for target, answer in answers.items()}
        assert seen == {f"tcp:{CLIENT}:25": PUBLIC, f"udp:{CLIENT}:3478": PUBLIC}, source
    wait_for(lambda: len(outside.contacts) >= 2 * len(SERVICE_IPS))
    assert {c["peer"][0] for c in outside.contacts} == {PUBLIC}


def test_without_rules_the_same_probes_fail(lab: Lab, cluster: Any) -> None:
    """Control: the gateway alone forwards nothing to the public address and lets a routed packet
    straight through, so the checks above measure the rules, not the set-up."""
    assert lab.probe(lab.client, public_targets()) == dict.fromkeys(public_targets())
    answer = lab.probe(lab.client, [f"tcp:{SERVICES['http']}:80"])[f"tcp:{SERVICES['http']}:80"]
    assert answer is not None and answer["peer"][0] == CLIENT
