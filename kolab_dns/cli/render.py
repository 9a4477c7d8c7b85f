"""`render` and `validate`: the declaration expanded and checked, with no provider contacted."""

from __future__ import annotations

import json
from collections.abc import Iterator

import click

from .. import names, records
from .. import validate as checks
from ..errors import KolabDnsError
from ..model import Declaration
from ..octo.providers import Providers
from ..records.spf import LOOKUP_LIMIT
from ..recordset import RecordSet
from ..zonefile import stream
from .common import Context, handled, pick_domains, warn

FLUSH_CHUNKS = 1000  # pieces of text written at once: few writes, little text held


def _zone_names(zones: tuple[str, ...]) -> set[str]:
    try:
        return {names.to_ascii(z) for z in zones}
    except names.InvalidName as e:
        raise KolabDnsError(str(e)) from None


@click.command()
@click.option(
    "--format", "fmt", type=click.Choice(["zone", "yaml", "json"]), default="zone", show_default=True
)
@click.option(
    "--domain",
    "domains",
    multiple=True,
    metavar="DOMAIN",
    help="Only this mail domain's records (repeatable); works for unmanaged domains too.",
)
@click.option("--soa", is_flag=True, help="Add an SOA and NS (kolab.nameservers) so servers load the file.")
@click.argument("zones", nargs=-1)
@click.pass_obj
@handled
def render(ctx: Context, fmt: str, domains: tuple[str, ...], soa: bool, zones: tuple[str, ...]) -> None:
    """Print the expanded zones without contacting any provider."""
    decl = ctx.project.load()
    wanted = _zone_names(zones)
    nameservers = decl.deployment.nameservers or ("ns1.invalid",)
    chunks: list[str] = []
    for text in stream(_zones(decl, domains, wanted), fmt, nameservers if soa else ()):
        chunks.append(text)
        if len(chunks) >= FLUSH_CHUNKS:
            click.echo("".join(chunks), nl=False)
            chunks.clear()
    click.echo("".join(chunks), nl=False)
    click.echo(checks.spf_summary(decl), err=True)


def _zones(
    decl: Declaration, domains: tuple[str, ...], wanted: set[str]
) -> Iterator[tuple[str, list[RecordSet]]]:
    """The non-empty zones to print, in the declaration's order, each expanded as it is printed."""
    if domains:
        recordsets = [rs for d in pick_domains(decl, domains) for rs in records.domain_records(decl, d)]
        grouped = records.by_zone(decl, recordsets, unmanaged_too=True)
        yield from ((z, rs) for z, rs in grouped.items() if rs and (not wanted or z in wanted))
        return
    zoning = records.Zoning(decl, unmanaged_too=True)
    for zone in list(zoning.zones):
        if wanted and zone not in wanted:
            continue
        recordsets = zoning.records(zone) or []
        if recordsets:
            yield zone, recordsets


@click.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_obj
@handled
def validate(ctx: Context, fmt: str) -> None:
    """Check the declaration and the provider files without contacting any provider."""
    decl = ctx.project.load()
    Providers(ctx.project).for_zones(decl)
    warnings = checks.warnings(decl)
    grouped = records.by_zone(decl, records.expand(decl))
    count = sum(len(v) for v in grouped.values())
    if fmt == "json":
        doc = {
            "valid": True,
            "domains": len(decl.domains),
            "zones": len(grouped),
            "recordsets": count,
            "spf_lookups": {
                name: {"lookups": c.lookups, "limit": LOOKUP_LIMIT, "not_counted": list(c.unknown)}
                for name, c in checks.spf_costs(decl).items()
            },
            "warnings": warnings,
        }
        click.echo(json.dumps(doc, indent=2))
        return
    warn(warnings)
    click.echo(
        f"{ctx.project.declaration_display}: valid: {len(decl.domains)} domains, "
        f"{len(grouped)} zones, {count} record sets"
    )
    click.echo(checks.spf_summary(decl))
