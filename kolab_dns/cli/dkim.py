"""`dkim new` and `dkim retire`: a selector's key pair made, published, and later unpublished.

The private key must reach the signer but never the repository; the public key becomes one line
of the declaration, which the next sync publishes.
"""

from __future__ import annotations

import os

import click

from .. import dkim as keys
from ..edit import add_dkim_selector, remove_dkim_selector
from ..errors import KolabDnsError
from .common import Context, handled, note


@click.group()
def dkim() -> None:
    """DKIM keys: the primary publishes each selector, secondaries delegate to it by CNAME."""


@dkim.command("new")
@click.argument("selector")
@click.option("--type", "algorithm", type=click.Choice(keys.ALGORITHMS), default="rsa", show_default=True)
@click.option(
    "--bits", type=click.IntRange(1024, 4096), help=f"RSA key size. [default: {keys.DEFAULT_RSA_BITS}]"
)
@click.option(
    "--key-dir",
    type=click.Path(file_okay=False),
    help="Where the private key goes; must not be committable. [default: .kolab-dns/keys]",
)
@click.pass_obj
@handled
def dkim_new(ctx: Context, selector: str, algorithm: str, bits: int | None, key_dir: str | None) -> None:
    """Create a key pair for SELECTOR and add its public key to the declaration.

    The private key goes to KEY_DIR/SELECTOR.key (mode 0600) for the signer; the public key is
    printed and added as one line under kolab: dkim:. Publish it with `kolab-dns sync` before
    the signer switches to it.
    """
    if bits is not None and algorithm != "rsa":
        raise click.UsageError("--bits applies to --type rsa only")
    project = ctx.project
    decl = project.load()
    keys.check_selector(selector)
    if any(k.selector == selector for k in decl.deployment.dkim):
        raise KolabDnsError(f"DKIM selector {selector!r} is already declared; pick a new name")
    path = keys.key_path(key_dir or os.path.join(project.state_dir, "keys"), selector)
    keys.check_not_committable(path)

    pair = keys.generate(algorithm, bits or keys.DEFAULT_RSA_BITS)
    keys.write_private(path, pair.private)
    try:
        line = add_dkim_selector(project.declaration_path, project.declaration_display, selector, pair.public)
    except BaseException:
        os.unlink(path)  # no orphan key for a selector the declaration does not have
        raise
    note(f"wrote private key {project.display(path)} (mode 0600): give it to the signer")
    note(
        f"added kolab.dkim.{selector} at {project.declaration_display}:{line}; `kolab-dns sync` publishes it"
    )
    click.echo(pair.public)


@dkim.command("retire")
@click.argument("selector")
@click.option("--force", is_flag=True, help="Retire even the last selector (mail is then unsigned).")
@click.pass_obj
@handled
def dkim_retire(ctx: Context, selector: str, force: bool) -> None:
    """Remove SELECTOR from the declaration; the next sync deletes its TXT and every CNAME to it.

    Retire a selector only once the signer has used another one for a few days, so that mail
    still in transit verifies.
    """
    project = ctx.project
    decl = project.load()
    others = [k.selector for k in decl.deployment.dkim if k.selector != selector]
    if len(others) == len(decl.deployment.dkim):
        raise KolabDnsError(f"DKIM selector {selector!r} is not declared")
    if not others and not force:
        raise KolabDnsError(
            f"{selector!r} is the last DKIM selector: retiring it leaves mail without a published key; "
            "add its successor with `kolab-dns dkim new` first, or pass --force"
        )
    shown = project.declaration_display
    line = remove_dkim_selector(project.declaration_path, shown, selector)
    note(f"removed kolab.dkim.{selector} from {shown}:{line}; `kolab-dns sync` unpublishes it")
    key = keys.key_path(os.path.join(project.state_dir, "keys"), selector)
    if os.path.exists(key):
        note(f"{project.display(key)} is no longer published; delete it once the signer has stopped using it")
