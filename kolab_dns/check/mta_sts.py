"""MTA-STS: the `_mta-sts` TXT, and the policy fetched over HTTPS as a sending MTA would.

The policy must parse (RFC 8461 §3.2), cover every MX of the domain (or enforcing senders bounce
mail), and equal the declared policy. The TXT id is a digest of the declared policy text: when the
web server serves another policy while DNS carries the declared id, receivers that cached that id
never refetch, so they keep a stale policy until max_age runs out. The check says so.
"""

from __future__ import annotations

from ..model import MailDomain
from ..records import tags
from ..records.mta_sts import (
    PATH,
    POLICY_HOST,
    TXT_NAME,
    VERSION,
    Policy,
    PolicyError,
    declared_policy,
    policy_id,
    txt_value,
)
from . import https
from .context import CheckContext
from .resolver import DnsError
from .results import Result, Status, dns_error

CHECK = "mta-sts"


def check_txt(ctx: CheckContext, domain: str, declared_id: str) -> tuple[Result, str | None]:
    """The TXT result and the id it carries (None when absent)."""
    name = TXT_NAME + domain
    expected = (txt_value(declared_id),)
    try:
        found = ctx.resolver.values(name, "TXT")
    except DnsError as e:
        return dns_error(domain, CHECK, f"{name} TXT", e), None
    records = [tags.parse(v) for v in found if tags.parse(v).get("v") == VERSION]
    if not records:
        return Result(
            domain, CHECK, f"{name} TXT", Status.MISSING, expected, found, ctx.publish_hint(name)
        ), None
    ids = [r.get("id", "") for r in records]
    if len(records) == 1 and ids[0] == declared_id:
        return Result(domain, CHECK, f"{name} TXT", Status.OK, expected, found), ids[0]
    hint = (
        f"{len(records)} MTA-STS records: senders ignore them all; keep one"
        if len(records) > 1
        else f"the id is not the declared policy's id {declared_id}: "
        + ("`kolab-dns sync` publishes it" if ctx.managed(name) else ctx.publish_hint(name))
    )
    return Result(domain, CHECK, f"{name} TXT", Status.DIFFERENT, expected, found, hint), ids[0]


def check_policy(ctx: CheckContext, domain: str, published_id: str | None, declared_id: str) -> list[Result]:
    host = POLICY_HOST + domain
    url = f"https://{host}{PATH}"
    declared = declared_policy(ctx.decl)
    serve = "(`kolab-dns mta-sts policy --write DIR`)"

    def fail(found: str, hint: str, expected: tuple[str, ...] = declared.lines()) -> list[Result]:
        return [Result(domain, CHECK, url, Status.FAIL, expected, (found,), hint)]

    try:
        response = https.get(host, PATH, ctx.resolver, ctx.https)
    except DnsError as e:
        return [dns_error(domain, CHECK, url, e)]
    except https.FetchError as e:
        return fail(str(e), f"serve the policy at {url} with a certificate for {host} {serve}")
    if response.status != 200:
        return fail(
            f"HTTP {response.status}", f"serve the policy at {url} {serve}; senders follow no redirects"
        )
    media = response.content_type.split(";")[0].strip().lower()
    if media != "text/plain":
        return fail(
            f"Content-Type: {response.content_type or 'none'}",
            "RFC 8461 §3.3: serve the policy as text/plain",
            ("Content-Type: text/plain",),
        )
    try:
        served = Policy.parse(response.body.decode("utf-8"))
    except (PolicyError, UnicodeDecodeError) as e:
        return fail(f"unparsable: {e}", f"serve the declared policy {serve}")
    out = [check_coverage(ctx, domain, url, served)]
    if served == declared:
        out.insert(0, Result(domain, CHECK, url, Status.OK, declared.lines(), served.lines()))
        return out
    hint = f"serve the declared policy {serve}"
    if published_id == declared_id:
        hint = (
            f"the _mta-sts id {declared_id} is the declared policy's, but the served policy differs: "
            f"the id and the policy disagree, so receivers that cached this id keep a stale policy; " + hint
        )
    elif published_id is not None and published_id == policy_id(response.body.decode("utf-8")):
        hint = "the server and the _mta-sts id agree on a policy that is not the declared one; " + hint
    out.insert(0, Result(domain, CHECK, url, Status.DIFFERENT, declared.lines(), served.lines(), hint))
    return out


def check_coverage(ctx: CheckContext, domain: str, url: str, served: Policy) -> Result:
    subject = f"{url} covers every MX"
    try:
        hosts = sorted({v.split(" ", 1)[1].rstrip(".") for v in ctx.resolver.values(domain, "MX")})
    except DnsError as e:
        return dns_error(domain, CHECK, subject, e)
    if served.mode == "none":
        return Result(domain, CHECK, subject, Status.OK, tuple(hosts), ("mode none",))
    uncovered = [h for h in hosts if not served.covers(h)]
    if uncovered:
        return Result(
            domain,
            CHECK,
            subject,
            Status.FAIL,
            tuple(hosts),
            tuple(f"mx: {m}" for m in served.mx),
            f"no mx: pattern of the served policy matches {', '.join(uncovered)}: senders in "
            f"mode {served.mode} {'refuse delivery' if served.mode == 'enforce' else 'report it'}",
        )
    return Result(domain, CHECK, subject, Status.OK, tuple(hosts), tuple(f"mx: {m}" for m in served.mx))


def check_domain(ctx: CheckContext, domain: MailDomain) -> list[Result]:
    if not domain.mta_sts:
        return []
    declared_id = declared_policy(ctx.decl).id
    txt, published_id = check_txt(ctx, domain.name, declared_id)
    return [txt, *check_policy(ctx, domain.name, published_id, declared_id)]
