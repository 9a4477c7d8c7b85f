"""DKIM: the key each selector publishes, as a verifier finds it, equals the declared key.

A secondary's `SELECTOR._domainkey` is a CNAME to the primary's; the key is looked up through it,
as a receiving MTA would. `--dkim-key SELECTOR=PATH` also proves that the signer's private key is
the half of what is published. The private key is read, turned into its public half and dropped
(kolab_dns.dkim.public_of): it is never printed, logged or kept.
"""

from __future__ import annotations

from ..model import DkimKey, MailDomain
from ..records import dkim, tags
from ..recordset import RecordSet
from .context import CheckContext
from .records import check_recordset
from .resolver import DnsError
from .results import Result, Status, dns_error

CHECK = "dkim"


def _keys(values: tuple[str, ...]) -> list[dict[str, str]]:
    return [tags.parse(v) for v in values if "p=" in v]


def _published(found: dict[str, str]) -> tuple[str, str]:
    return found.get("k", "rsa").lower(), found.get("p", "")


def check_selector(ctx: CheckContext, domain: MailDomain, key: DkimKey, rs: RecordSet) -> Result:
    name = dkim.key_name(key.selector, domain.name)
    if rs.type == "CNAME":
        delegation = check_recordset(ctx, domain.name, CHECK, rs)
        if not delegation.ok:
            return delegation
    subject = f"{name} TXT" + (" (through the CNAME)" if rs.type == "CNAME" else "")
    try:
        found = ctx.resolver.values(name, "TXT")
    except DnsError as e:
        return dns_error(domain.name, CHECK, subject, e)
    expected = (dkim.txt_value(key),)
    published = _keys(found)
    if not published:
        return Result(domain.name, CHECK, subject, Status.MISSING, expected, found, ctx.publish_hint(name))
    if len(published) == 1 and _published(published[0]) == (key.algorithm, key.public_key):
        return Result(domain.name, CHECK, subject, Status.OK, expected, found)
    hint = (
        f"the published key of selector {key.selector} is not the declared one: mail signed with "
        f"the declared key fails DKIM; "
        + ("`kolab-dns sync` publishes it" if ctx.managed(name) else ctx.publish_hint(name))
    )
    if len(published) > 1:
        hint = f"{name} publishes {len(published)} keys; a verifier needs exactly one"
    return Result(domain.name, CHECK, subject, Status.DIFFERENT, expected, found, hint)


def check_domain(ctx: CheckContext, domain: MailDomain, recordsets: list[RecordSet]) -> list[Result]:
    by_name = {rs.name: rs for rs in recordsets if rs.family == dkim.FAMILY}
    out = []
    for key in ctx.decl.deployment.dkim:
        rs = by_name.get(dkim.key_name(key.selector, domain.name))
        if rs is not None:
            out.append(check_selector(ctx, domain, key, rs))
    return out


# --- --dkim-key ---------------------------------------------------------------------------------


def check_private_key(ctx: CheckContext, selector: str, path: str, algorithm: str, public: str) -> Result:
    """The public half (algorithm, public) of the private key at path, against what is published."""
    primary = ctx.decl.primary.name
    name = dkim.key_name(selector, primary)
    subject = f"{selector}: private key {path}"
    expected = (f"k={algorithm}; p={public}",)
    try:
        found = ctx.resolver.values(name, "TXT")
    except DnsError as e:
        return dns_error(primary, "dkim-key", subject, e)
    published = [_published(k) for k in _keys(found)]
    if (algorithm, public) in published and len(published) == 1:
        return Result(primary, "dkim-key", subject, Status.OK, expected, found)
    status = Status.MISSING if not published else Status.DIFFERENT
    return Result(
        primary,
        "dkim-key",
        subject,
        status,
        expected,
        found,
        f"the private key does not belong to the key {name} publishes: the signer would fail DKIM; "
        "give the signer the selector's key, or publish this key under a new selector",
    )
