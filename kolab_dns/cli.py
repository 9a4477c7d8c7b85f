"""The kolab-dns command line: parse arguments, call one function, print, exit.

Exit codes: 0 success; 1 error (bad input, provider failure, refused plan); 2 with
`plan --detailed-exitcode` when changes are pending (as Terraform does).
"""

from __future__ import annotations

import json
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

import click

from . import __version__, logs, records
from .declaration import Declaration
from .errors import KolabDnsError
from .lock import sync_lock
from .progress import counter
from .project import Project
from .records import report_auth
from .records.host import unmanaged_ptr_ips
from .spf import LOOKUP_LIMIT, Cost, deployment_costs
from .zonefile import render as render_zones

EXIT_OK, EXIT_ERROR, EXIT_CHANGES = 0, 1, 2


@dataclass
class Context:
    project: Project
    verbosity: int


def _fail(message: str) -> None:
    click.echo(f"kolab-dns: error: {logs.REDACTOR.redact(message)}", err=True)
    sys.exit(EXIT_ERROR)


def handled(func: Callable[..., Any]) -> Callable[..., Any]:
    """Every error becomes one line on stderr and exit 1; --debug keeps the traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        ctx = click.get_current_context().find_object(Context)
        try:
            return func(*args, **kwargs)
        except KolabDnsError as e:
            if ctx and ctx.verbosity >= 2 and e.__cause__ is not None:  # a provider's own failure
                click.echo(logs.REDACTOR.redact("".join(traceback.format_exception(e.__cause__))), err=True)
            _fail(str(e))
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except Exception as e:  # provider and network failures surface from octoDNS as anything
            if ctx and ctx.verbosity >= 2:
                click.echo(logs.REDACTOR.redact(traceback.format_exc()), err=True)
            cause = " ".join(str(e).split()) or e.__class__.__name__
            _fail(f"{e.__class__.__name__}: {cause}")

    return wrapper


def _warn(messages: list[str] | tuple[str, ...]) -> None:
    for m in messages:
        click.echo(f"kolab-dns: warning: {m}", err=True)


def _declaration_warnings(decl: Declaration) -> list[str]:
    out = list(decl.warnings)
    for ip in unmanaged_ptr_ips(decl):
        out.append(
            f"no reverse zone for {ip} is listed under zones:; set its PTR to "
            f"{decl.deployment.hostname} at the provider of that IP"
        )
    outside = [] if report_auth.report_zone(decl) else report_auth.needing_authorization(decl)
    if outside:
        target = report_auth.report_domain(decl)
        more = f" and {len(outside) - 3} more" if len(outside) > 3 else ""
        shown = ", ".join(d.name for d in outside[:3]) + more
        out.append(
            f"DMARC reports for {shown} go to {target}, another organizational domain whose zone is not "
            f'managed here: publish "<domain>._report._dmarc.{target} TXT v=DMARC1" there, '
            "or receivers drop the reports (RFC 7489 7.1)"
        )
    return out


def _spf_costs(decl: Declaration) -> tuple[Cost, Cost | None]:
    """The SPF lookup cost of the primary and of a secondary (all secondaries share one record)."""
    dep = decl.deployment
    primary, secondary = deployment_costs(dep.hostname, dep.spf, decl.primary.name)
    return primary, secondary if decl.secondaries else None


def _spf_line(decl: Declaration) -> str:
    primary, secondary = _spf_costs(decl)
    line = f"SPF: {decl.primary.name} needs {primary}"
    return line + (f"; each secondary domain needs {secondary}" if secondary else "")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "-C",
    "root",
    default=".",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Repository to run in (holds zones/ and providers/).",
)
@click.option(
    "-f",
    "--declaration",
    default=None,
    help="Declaration file, relative to the repository. [default: zones/kolab.yaml]",
)
@click.option("-v", "--verbose", count=True, help="More logging on stderr (-v info, -vv debug).")
@click.option("--debug", is_flag=True, help="Debug logging and tracebacks (secrets stay masked).")
@click.version_option(__version__, prog_name="kolab-dns")
@click.pass_context
def cli(ctx: click.Context, root: str, declaration: str | None, verbose: int, debug: bool) -> None:
    """Keep a Kolab deployment's mail DNS in sync through octoDNS."""
    verbosity = 2 if debug else verbose
    logs.setup(verbosity)
    ctx.obj = Context(Project.at(root, declaration), verbosity)


def _load(ctx: Context) -> Declaration:
    return ctx.project.load()


# --- plan / sync ---------------------------------------------------------------------------------


def _scope(ctx: Context, decl: Declaration, since: str | None, zones: tuple[str, ...]) -> dict[str, str]:
    from .octo.engine import scoped_zones
    from .scope import changed_zones

    if since:
        changed = changed_zones(ctx.project.load_at(since), decl)
        if zones:
            changed = {z: p for z, p in changed.items() if z in set(zones)}
        return changed
    return scoped_zones(decl, zones or None)


def _run(ctx: Context, since: str | None, zones: tuple[str, ...], adopt: bool) -> Any:
    from .octo.engine import plan_run

    decl = _load(ctx)
    scope = _scope(ctx, decl, since, zones)
    run = plan_run(ctx.project, decl, scope, adopt=adopt)  # every input checked before any warning
    if len(scope) > 1:
        run.progress = counter("planned")
    _warn(_declaration_warnings(decl))
    what = f"{len(scope)} zone{'s' * (len(scope) != 1)}"
    click.echo(f"kolab-dns: planning {what}" + (f" changed since {since}" if since else ""), err=True)
    return run


def _emit(report: Any, fmt: str, output: str | None) -> None:
    from .octo.report import RENDERERS

    text = RENDERERS[fmt](report)
    if output:
        with open(output, "w", encoding="utf-8") as fh:
            fh.write(text)
        click.echo(f"kolab-dns: plan written to {output}", err=True)
    else:
        click.echo(text, nl=False)


_FORMAT = click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown", "json"]),
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


@cli.command()
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


@cli.command()
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


# --- render / validate / add ---------------------------------------------------------------------


@cli.command()
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
    from . import names

    decl = _load(ctx)
    chosen = None
    if domains:
        chosen = []
        for d in domains:
            found = decl.domain(d)
            if found is None:
                raise KolabDnsError(f"{d!r} is not a domain of this declaration")
            chosen.append(found)
    grouped = records.by_zone(
        decl,
        records.expand(decl, chosen)
        if chosen is None
        else [rs for d in chosen for rs in records.domain_records(decl, d)],
        unmanaged_too=True,
    )
    wanted = {names.to_ascii(z) for z in zones}
    out = {z: rs for z, rs in grouped.items() if rs and (not wanted or z in wanted)}
    nameservers = decl.deployment.nameservers or ("ns1.invalid",)
    click.echo(render_zones(out, fmt, nameservers if soa else ()), nl=False)
    click.echo(_spf_line(decl), err=True)


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_obj
@handled
def validate(ctx: Context, fmt: str) -> None:
    """Check the declaration and the provider files without contacting any provider."""
    decl = _load(ctx)
    ctx.project.providers_for(decl)
    warnings = _declaration_warnings(decl)
    grouped = records.by_zone(decl, records.expand(decl))
    if fmt == "json":
        primary, secondary = _spf_costs(decl)
        click.echo(
            json.dumps(
                {
                    "valid": True,
                    "domains": len(decl.domains),
                    "zones": len(grouped),
                    "recordsets": sum(len(v) for v in grouped.values()),
                    "spf_lookups": {
                        d.name: {"lookups": c.lookups, "limit": LOOKUP_LIMIT, "not_counted": list(c.unknown)}
                        for d in decl.domains
                        for c in [primary if d.primary else secondary]
                        if c is not None
                    },
                    "warnings": warnings,
                },
                indent=2,
            )
        )
        return
    _warn(warnings)
    click.echo(
        f"{ctx.project.display(ctx.project.declaration_path)}: valid: {len(decl.domains)} domains, "
        f"{len(grouped)} zones, {sum(len(v) for v in grouped.values())} record sets"
    )
    click.echo(_spf_line(decl))


@cli.group()
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
    from .edit import add_secondary as append

    project = ctx.project
    overrides: dict[str, object] = {}
    if provider:
        project.provider(provider)
        overrides["provider"] = provider
    if unmanaged:
        overrides["managed"] = False
    name = append(project.declaration_path, project.display(project.declaration_path), domain, overrides)
    click.echo(f"added secondary domain {name}")


from .cli_mail import dkim, mta_sts  # noqa: E402  (cli_mail imports cli: register after definitions)

cli.add_command(mta_sts)
cli.add_command(dkim)

from .cli_check import check  # noqa: E402

cli.add_command(check)


def main() -> None:
    cli(prog_name="kolab-dns")


if __name__ == "__main__":
    main()
