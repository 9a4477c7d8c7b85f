"""The gateway's NAT and forwarding as one nftables file, for `nft -f`.

Everything lives in `table inet kolab`, which the file first declares and deletes: nft applies a
file as one transaction, so loading it again replaces the table instead of stacking rules, and
other tables (a firewall, Kubernetes' own) are left alone. The forward chain accepts by default and
only judges traffic that crosses the external interface, so it cannot cut off anything else.
"""

from __future__ import annotations

from .model import Endpoint, Network

TABLE = "kolab"


def _ports(endpoints: tuple[Endpoint, ...]) -> str:
    items = [e.ports.text("-") for e in endpoints]
    return items[0] if len(items) == 1 else "{ " + ", ".join(items) + " }"


def render(network: Network) -> str:
    name, wildcard = network.interface_wildcard()
    ext = f'"{name}*"' if wildcard else f'"{name}"'
    public, internal = network.public, network.internal
    dnat, accept = [], []
    for ip, proto, endpoints in network.by_target():
        ports, comment = _ports(endpoints), f'comment "{network.label(endpoints)}"'
        dnat.append(f"ip daddr {public} {proto} dport {ports} dnat ip to {ip} {comment}")
        accept.append(f"iifname {ext} ct status dnat ip daddr {ip} {proto} dport {ports} accept")
    lines = [
        "#!/usr/sbin/nft -f",
        f"# kolab-dns network render: NAT for {public} on {network.interface} (internal {internal}).",
        f"# `nft -f FILE` replaces table inet {TABLE} as a whole; other tables stay untouched.",
        "# The gateway must forward: sysctl net.ipv4.ip_forward=1.",
        "",
        f"table inet {TABLE}",
        f"delete table inet {TABLE}",
        "",
        f"table inet {TABLE} {{",
        "\tchain prerouting {",
        "\t\ttype nat hook prerouting priority dstnat; policy accept;",
        *(f"\t\t{rule}" for rule in dnat),
        "\t}",
        "",
        "\tchain forward {",
        "\t\ttype filter hook forward priority filter; policy accept;",
        "\t\tct state established,related accept",
        f"\t\tiifname {ext} ct state invalid drop",
        *(f"\t\t{rule}" for rule in accept),
        f'\t\tiifname {ext} ip daddr {internal} drop comment "nothing else from outside"',
        f"\t\toifname {ext} ip saddr {internal} ct state new accept",
        "\t}",
        "",
        "\tchain postrouting {",
        "\t\ttype nat hook postrouting priority srcnat; policy accept;",
        f"\t\toifname {ext} ip saddr {internal} snat ip to {public}",
        "\t}",
        "}",
    ]
    return "\n".join(lines) + "\n"
