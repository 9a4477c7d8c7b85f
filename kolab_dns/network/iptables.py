"""The same NAT and forwarding as nftables.py, in `iptables-restore` format for hosts without nft.

A restore file holds whole tables: `iptables-restore FILE` replaces the nat and filter tables in
one commit, so loading it again gives the same rules, never a second copy (a list of `-A`
commands would stack). The built-in chains keep policy ACCEPT; only traffic crossing the external
interface is judged, exactly as in the nftables rendering.
"""

from __future__ import annotations

from .model import Endpoint, Network


def _match(proto: str, endpoints: tuple[Endpoint, ...]) -> str:
    ports = [e.ports.text(":") for e in endpoints]
    if len(ports) == 1:
        return f"-p {proto} -m {proto} --dport {ports[0]}"
    return f"-p {proto} -m multiport --dports {','.join(ports)}"


def render(network: Network) -> str:
    ext, public, internal = network.interface, network.public, network.internal
    dnat, accept = [], []
    for ip, proto, endpoints in network.by_target():
        match = _match(proto, endpoints)
        comment = f'-m comment --comment "{network.label(endpoints)}"'
        dnat.append(f"-A PREROUTING -d {public}/32 {match} {comment} -j DNAT --to-destination {ip}")
        accept.append(f"-A FORWARD -i {ext} -d {ip}/32 {match} -m conntrack --ctstate DNAT -j ACCEPT")
    lines = [
        f"# kolab-dns network render --format iptables: NAT for {public} on {ext} (internal {internal}).",
        "# `iptables-restore FILE` replaces the nat and filter tables as a whole (as rules.v4 does).",
        "# The gateway must forward: sysctl net.ipv4.ip_forward=1.",
        "*nat",
        ":PREROUTING ACCEPT [0:0]",
        ":INPUT ACCEPT [0:0]",
        ":OUTPUT ACCEPT [0:0]",
        ":POSTROUTING ACCEPT [0:0]",
        *dnat,
        f"-A POSTROUTING -s {internal} -o {ext} -j SNAT --to-source {public}",
        "COMMIT",
        "*filter",
        ":INPUT ACCEPT [0:0]",
        ":FORWARD ACCEPT [0:0]",
        ":OUTPUT ACCEPT [0:0]",
        "-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
        f"-A FORWARD -i {ext} -m conntrack --ctstate INVALID -j DROP",
        *accept,
        f'-A FORWARD -i {ext} -d {internal} -m comment --comment "nothing else from outside" -j DROP',
        f"-A FORWARD -o {ext} -s {internal} -m conntrack --ctstate NEW -j ACCEPT",
        "COMMIT",
    ]
    return "\n".join(lines) + "\n"
