"""`add secondary`: one line appended to the declaration, everything else left as it was."""

from __future__ import annotations

import click

from ..edit import add_secondary as append
from ..octo.providers import Providers
from .common import Context, handled


@click.group()
def add() -> None:
    """Add to the declaration, one line at a time."""


@add.command("secondary")
@click.argument("domain")
@click.option("--provider", help="Provider for a domain that is a zone of its own (a file in providers/).")
@click.option("--unmanaged", is_flag=True, help="The customer runs this domain's DNS elsewhere.")
@click.pass_obj
@handled
def add_secondary(ctx: Context, domain: str, provider: str | None, unmanaged: bool) -> None:
    """Append DOMAIN to secondary:, leaving comments, order and formatting untouched."""
    project = ctx.project
    overrides: dict[str, object] = {}
    if provider:
        Providers(project).get(provider)
        overrides["provider"] = provider
    if unmanaged:
        overrides["managed"] = False
    name = append(project.declaration_path, project.declaration_display, domain, overrides)
    click.echo(f"added secondary domain {name}")
