"""`kolab-dns network render`: the gateway's NAT rules and MetalLB's Services from `network:`."""

from __future__ import annotations

from collections.abc import Callable

import click

from ..errors import KolabDnsError
from ..network import iptables, metallb, nftables
from ..network.model import Network
from ..network.validate import shared_ip_warnings
from .common import Context, handled, warn

RENDERERS: dict[str, Callable[[Network], str]] = {
    "nftables": nftables.render,
    "iptables": iptables.render,
    "metallb": metallb.render,
}


@click.group("network")
def network() -> None:
    """The deployment's network: NAT on the gateway, MetalLB in the cluster."""


@network.command("render")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(list(RENDERERS)),
    default="nftables",
    show_default=True,
    help="nftables: a file for `nft -f`; iptables: for `iptables-restore`; metallb: Kubernetes YAML.",
)
@click.pass_obj
@handled
def render(ctx: Context, fmt: str) -> None:
    """Print the rules for the declaration's network: section to stdout."""
    decl = ctx.project.load()
    if decl.network is None:
        shown = ctx.project.declaration_display
        raise KolabDnsError(f"{shown}: no network: section to render (see README, 'The network: section')")
    warn(f"{decl.path}:{warning}" for warning in shared_ip_warnings(decl.network))
    click.echo(RENDERERS[fmt](decl.network), nl=False)
