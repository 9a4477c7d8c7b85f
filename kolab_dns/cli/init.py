"""`kolab-dns init`: start an operator's repository (the starter's files, nothing overwritten).

It needs no declaration: of the group's options it reads only `-C`.
"""

from __future__ import annotations

import os

import click

from .. import starter
from .common import handled


@click.command("init")
@click.argument("directory", required=False, type=click.Path(file_okay=False))
@click.option(
    "--ci",
    type=click.Choice([*starter.CI, "none"]),
    default="github",
    show_default=True,
    help="The CI recipe to write: .github/workflows/dns.yml, .gitlab-ci.yml, or none.",
)
@handled
def init(directory: str | None, ci: str) -> None:
    """Start a repository in DIRECTORY (default: the -C directory): a commented zones/kolab.yaml
    with placeholder names, providers/local.yaml, a .gitignore and a pinned CI recipe.
    Refuses, writing nothing, if any of those files exists."""
    root = click.get_current_context().find_root().params.get("root") or "."
    target = os.path.normpath(os.path.join(root, directory or "."))
    written = starter.write(target, None if ci == "none" else ci)
    here = os.path.abspath(target) == os.path.abspath(".")
    click.echo(f"wrote {', '.join(written)}" + ("" if here else f" in {target}"))
    click.echo(
        ("next: " if here else f"next: cd {target}; ")
        + "replace the placeholders in zones/kolab.yaml, `kolab-dns dkim new dkim1` (in a git "
        "repository), `kolab-dns plan`; pin KOLAB_DNS_SOURCE and KOLAB_DNS_VERSION in the CI recipe"
    )
