"""`plan` and `sync`: the zones in play, planned (and applied) through octoDNS."""

from __future__ import annotations

import os
import sys

import click

from .. import declaration, validate
from ..located import load_text
from ..lock import sync_lock
from ..model import Declaration
from ..octo.engine import Run, plan_run, scoped_zones
from ..octo.providers import Providers
from ..octo.report import RENDERERS, PlanReport
from ..progress import counter
from ..scope import changed_zones, derive_old
from .common import EXIT_CHANGES, Context, handled, note, warn


def _scope(ctx: Context, decl: Declaration, since: str | None, zones: tuple[str, ...]) -> dict[str, str]:
    """The zones to plan: all, the ones named (each must be a zone of the declaration), and with
    --since only those whose records the change reaches."""
    named = scoped_zones(decl, zones or None)
    if not since:
        return named
    changed = changed_zones(_declaration_at(ctx, since, decl), decl)
    return {z: p for z, p in changed.items() if z in named} if zones else changed


def _declaration_at(ctx: Context, since: str, decl: Declaration) -> Declaration:
    """The declaration at a ref: derived from the current one when only `- domain` lines changed,
    else read in full."""
    text, display = ctx.project.text_at(since)
    with open(ctx.project.declaration_path, encoding="utf-8") as fh:
        current = fh.read()
    derived = derive_old(text, current, decl, display)
    if derived is not None:
        return derived
    return declaration.parse(load_text(text, display), os.path.dirname(ctx.project.declaration_path))


def _run(ctx: Context, since: str | None, zones: tuple[str, ...], adopt: bool) -> Run:
    decl = ctx.project.load()
    scope = _scope(ctx, decl, since, zones)
    run = plan_run(Providers(ctx.project), decl, scope, adopt=adopt)  # every input checked first
    if len(scope) > 1:
        run.progress = counter("planned")
    warn(validate.warnings(decl))
    what = f"{len(scope)} zone{'s' * (len(scope) != 1)}"
    note(f"planning {what}" + (f" changed since {since}" if since else ""))
    return run


def _emit(report: PlanReport, fmt: str, output: str | None) -> None:
    text = RENDERERS[fmt](report)
    if output:
        with open(output, "w", encoding="utf-8") as fh:
            fh.write(text)
        note(f"plan written to {output}")
    else:
        click.echo(text, nl=False)


_FORMAT = click.option(
    "--format",
    "fmt",
    type=click.Choice(sorted(RENDERERS)),
    default="text",
    show_default=True,
    help="Output format.",
)
_SINCE = click.option(
    "--since", metavar="REF", help="Only zones whose records differ from the declaration at this git ref."
)
_ZONE = click.option("--zone", "zones", multiple=True, metavar="ZONE", help="Only this zone (repeatable).")
_ADOPT = click.option(
    "--adopt", is_flag=True, help="Take over foreign records at names kolab-dns needs instead of refusing."
)


@click.command()
@_FORMAT
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the plan to FILE.")
@click.option("--detailed-exitcode", is_flag=True, help="Exit 2 when changes are pending.")
@_SINCE
@_ZONE
@_ADOPT
@click.pass_obj
@handled
def plan(
    ctx: Context,
    fmt: str,
    output: str | None,
    detailed_exitcode: bool,
    since: str | None,
    zones: tuple[str, ...],
    adopt: bool,
) -> None:
    """Plan every zone against its provider and print the plan. Changes nothing."""
    report = _run(ctx, since, zones, adopt).execute(apply=False, force=True)
    _emit(report, fmt, output)
    if detailed_exitcode and report.changes:
        sys.exit(EXIT_CHANGES)


@click.command()
@_FORMAT
@click.option("--force", is_flag=True, help="Apply plans octoDNS deems unsafe (many changes, root NS).")
@click.option("--checksum", metavar="X", help="Apply only if the plan is exactly the one reviewed.")
@_SINCE
@_ZONE
@_ADOPT
@click.pass_obj
@handled
def sync(
    ctx: Context,
    fmt: str,
    force: bool,
    checksum: str | None,
    since: str | None,
    zones: tuple[str, ...],
    adopt: bool,
) -> None:
    """Apply the plan. A second sync straight after reports no changes."""
    with sync_lock(ctx.project.state_dir):
        report = _run(ctx, since, zones, adopt).execute(apply=True, force=force, expected_checksum=checksum)
    _emit(report, fmt, None)
