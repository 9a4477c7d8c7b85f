"""The mail-security commands: `mta-sts policy` for the web server, `dkim new` for the signer.

Both produce what DNS alone cannot carry: the MTA-STS policy file that must be served over HTTPS
(its `_mta-sts` id is a digest of exactly this text), and a DKIM private key that must reach the
signer but never the repository.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any

import click

from . import names
from .declaration import Declaration, MailDomain
from .errors import KolabDnsError
from .records.mta_sts import policy_text

if TYPE_CHECKING:
    from .cli import Context

WELL_KNOWN = os.path.join(".well-known", "mta-sts.txt")


def handled(func: Callable[..., Any]) -> Callable[..., Any]:
    """cli.handled, looked up when the command runs: cli.py imports this module at its end, so
    importing cli here at import time would fail whenever this module is imported first."""

    @wraps(func)
    def run(*args: Any, **kwargs: Any) -> Any:
        from .cli import handled as cli_handled

        return cli_handled(func)(*args, **kwargs)

    return run


# --- MTA-STS -------------------------------------------------------------------------------------


@click.group("mta-sts")
def mta_sts() -> None:
    """MTA-STS (RFC 8461): the policy served at https://mta-sts.DOMAIN/.well-known/mta-sts.txt."""


def _mta_sts_domain(decl: Declaration, name: str) -> MailDomain:
    try:
        found = decl.domain(name)
    except names.NameError_ as e:
        raise KolabDnsError(f"{name!r}: {e}") from None
    if found is None:
        raise KolabDnsError(f"{name!r} is not a domain of this declaration")
    if not found.mta_sts:
        raise KolabDnsError(
            f"{found.name} does not publish MTA-STS; set `mta_sts: true` on it "
            "or `kolab.mta_sts.secondaries: true`"
        )
    return found


def _write_atomic(path: str, data: bytes) -> None:
    """Web servers may read the file at any moment: never let them see half a policy."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".mta-sts-", dir=os.path.dirname(path))
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


@mta_sts.command("policy")
@click.argument("domain", required=False)
@click.option(
    "--write",
    "out_dir",
    type=click.Path(file_okay=False),
    metavar="DIR",
    help="Write DIR/mta-sts.DOMAIN/.well-known/mta-sts.txt for every MTA-STS domain (or DOMAIN).",
)
@click.pass_obj
@handled
def mta_sts_policy(ctx: Context, domain: str | None, out_dir: str | None) -> None:
    """Print the policy (CRLF lines, one for all MTA-STS domains) or write it for a web server."""
    decl = ctx.project.load()
    chosen = [_mta_sts_domain(decl, domain)] if domain else [d for d in decl.domains if d.mta_sts]
    text = policy_text(decl)
    if out_dir is None:
        click.echo(text, nl=False)
        return
    for d in chosen:
        path = os.path.join(out_dir, f"mta-sts.{d.name}", WELL_KNOWN)
        _write_atomic(path, text.encode("ascii"))
        click.echo(f"kolab-dns: wrote {path}", err=True)


# --- DKIM ----------------------------------------------------------------------------------------


@click.group()
def dkim() -> None:
    """DKIM keys: the primary publishes each selector, secondaries delegate to it by CNAME."""


@dkim.command("new")
@click.argument("selector")
@click.option("--type", "algorithm", type=click.Choice(["rsa", "ed25519"]), default="rsa", show_default=True)
@click.option("--bits", type=click.IntRange(1024, 4096), help="RSA key size. [default: 2048]")
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
    from . import dkim_keys
    from .edit import add_dkim_selector

    if bits is not None and algorithm != "rsa":
        raise click.UsageError("--bits applies to --type rsa only")
    project = ctx.project
    decl = project.load()
    dkim_keys.check_selector(selector)
    if any(k.selector == selector for k in decl.deployment.dkim):
        raise KolabDnsError(f"DKIM selector {selector!r} is already declared; pick a new name")
    path = dkim_keys.key_path(key_dir or os.path.join(project.state_dir, "keys"), selector)
    shown = project.display(path)
    dkim_keys.check_not_committable(path)

    pair = dkim_keys.generate(algorithm, bits or dkim_keys.DEFAULT_RSA_BITS)
    dkim_keys.write_private(path, pair.private)
    try:
        line = add_dkim_selector(
            project.declaration_path, project.display(project.declaration_path), selector, pair.public
        )
    except BaseException:
        os.unlink(path)  # no orphan key for a selector the declaration does not have
        raise
    click.echo(f"kolab-dns: wrote private key {shown} (mode 0600): give it to the signer", err=True)
    click.echo(
        f"kolab-dns: added kolab.dkim.{selector} at {project.display(project.declaration_path)}:{line}; "
        "`kolab-dns sync` publishes it",
        err=True,
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
    from .edit import remove_dkim_selector

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
    shown = project.display(project.declaration_path)
    line = remove_dkim_selector(project.declaration_path, shown, selector)
    click.echo(
        f"kolab-dns: removed kolab.dkim.{selector} from {shown}:{line}; `kolab-dns sync` unpublishes it",
        err=True,
    )
    key = os.path.join(project.state_dir, "keys", f"{selector}.key")
    if os.path.exists(key):
        click.echo(
            f"kolab-dns: {project.display(key)} is no longer published; delete it once the signer "
            "has stopped using it",
            err=True,
        )
