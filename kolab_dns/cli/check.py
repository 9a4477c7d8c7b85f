"""`kolab-dns check`: verify what live DNS serves for every declared domain, managed or not.

Exit codes: 0 every check passes; 1 a check fails; 2 DNS could not be queried (the run is
incomplete, so it says nothing about the records it could not see).
"""

from __future__ import annotations

import sys
from dataclasses import replace

import click

from .. import dkim as keys
from ..check import report, runner
from ..check.context import CheckContext
from ..check.endpoints.settings import EndpointSettings
from ..check.https import HttpsSettings
from ..check.resolver import Resolver
from ..check.results import exit_code
from ..errors import KolabDnsError
from ..progress import counter
from .common import Context, handled, note, pick_domains


def _dkim_keys(values: tuple[str, ...], declared: set[str]) -> tuple[tuple[str, str, str, str], ...]:
    """(selector, path, k=, p=) per --dkim-key: the private key's public half, the key not kept."""
    out = []
    for value in values:
        selector, eq, path = value.partition("=")
        if not eq or not selector or not path:
            raise click.BadParameter(f"{value!r}: expected SELECTOR=PATH", param_hint="--dkim-key")
        if selector not in declared:
            raise KolabDnsError(f"--dkim-key: selector {selector!r} is not declared under kolab: dkim:")
        try:
            out.append((selector, path, *keys.public_of(path)))
        except KolabDnsError as e:
            raise KolabDnsError(f"--dkim-key: {e}") from None
    return tuple(out)


@click.command("check")
@click.option("--domain", "domains", multiple=True, metavar="DOMAIN", help="Only this domain (repeatable).")
@click.option(
    "--nameserver",
    "nameservers",
    multiple=True,
    metavar="HOST[:PORT]",
    help="Ask this server directly (default: the system resolver). Repeatable: a name one server "
    "refuses (not its zone) goes to the next.",
)
@click.option(
    "--format", "fmt", type=click.Choice(sorted(report.RENDERERS)), default="text", show_default=True
)
@click.option(
    "--dkim-key",
    "dkim_keys",
    multiple=True,
    metavar="SELECTOR=PATH",
    help="Check that this private key matches the selector's published key (repeatable).",
)
@click.option(
    "--endpoints",
    is_flag=True,
    help="Also probe the mail host: SMTP 25 (STARTTLS, certificate, TLSA), submission 465/587, "
    "IMAP 143/993, ManageSieve 4190, HTTPS 443 (autoconfig, autodiscover, MTA-STS), STUN 3478.",
)
@click.option(
    "--address",
    metavar="HOST",
    help="Connect here instead of the resolved address (endpoints and the MTA-STS fetch); TLS still "
    "verifies the real host names.",
)
@click.pass_obj
@handled
def check(
    ctx: Context,
    domains: tuple[str, ...],
    nameservers: tuple[str, ...],
    fmt: str,
    dkim_keys: tuple[str, ...],
    endpoints: bool,
    address: str | None,
) -> None:
    """Verify the live DNS of every declared domain: records, FCrDNS, SPF, DKIM, DMARC, MTA-STS;
    with --endpoints also what the mail host serves on its ports.

    Exit 0 when every check passes, 1 when any fails, 2 when DNS could not be queried.
    """
    decl = ctx.project.load()
    chosen = pick_domains(decl, domains)
    with_host = not chosen or decl.primary in chosen
    keys_given = _dkim_keys(dkim_keys, {k.selector for k in decl.deployment.dkim})
    https = HttpsSettings.from_env()
    if address and https.connect is None:
        https = replace(https, connect=(address, 443))
    probes = EndpointSettings(address, https.ca_bundle) if endpoints else None
    check_ctx = CheckContext(decl, Resolver(nameservers), https, keys_given, probes)
    targets = chosen or list(decl.domains)
    note(f"checking {len(targets)} domain{'s' * (len(targets) != 1)} through {check_ctx.resolver.where}")
    results = runner.run(check_ctx, targets, with_host, counter("checked"))
    click.echo(report.RENDERERS[fmt](results), nl=False)
    sys.exit(exit_code(results))
