"""`mta-sts policy`: the policy file a web server must serve, byte for byte what the id digests."""

from __future__ import annotations

import os
import tempfile

import click

from ..errors import KolabDnsError
from ..model import Declaration, MailDomain
from ..records.mta_sts import PATH, POLICY_HOST, policy_text
from .common import Context, handled, note, pick_domain


@click.group("mta-sts")
def mta_sts() -> None:
    """MTA-STS (RFC 8461): the policy served at https://mta-sts.DOMAIN/.well-known/mta-sts.txt."""


def _mta_sts_domain(decl: Declaration, name: str) -> MailDomain:
    found = pick_domain(decl, name)
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
        path = os.path.join(out_dir, POLICY_HOST + d.name, *PATH.strip("/").split("/"))
        _write_atomic(path, text.encode("ascii"))
        note(f"wrote {path}")
