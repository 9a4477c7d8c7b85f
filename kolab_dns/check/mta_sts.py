"""MTA-STS: the `_mta-sts` TXT, and the policy fetched over HTTPS as a sending MTA would.

The policy must parse (RFC 8461 §3.2), cover every MX of the domain (or enforcing senders bounce
mail), and equal the declared policy. The TXT id is a digest of the declared policy text: when the
web server serves another policy while DNS carries the declared id, receivers that cached that id
never refetch, so they keep a stale policy until max_age runs out. The check says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..declaration import MailDomain, mx_matches
from ..records.mta_sts import policy_id, policy_text
from . import https, tags
from .context import CheckContext
from .resolver import DnsError
from .results import Result, Status, dns_error

CHECK = "mta-sts"
PATH = "/.well-known/mta-sts.txt"
MODES = ("enforce", "testing", "none")


class PolicyError(ValueError):
    """A policy that does not parse under RFC 8461 §3.2."""


@dataclass(frozen=True)
class Policy:
    version: str
    mode: str
    max_age: int
    mx: tuple[str, ...]

    def lines(self) -> tuple[str, ...]:
        return (
            f"version: {self.version}",
            f"mode: {self.mode}",
            *(f"mx: {m}" for m in sorted(self.mx)),
            f"max_age: {self.max_age}",
        )


def parse_policy(text: str) -> Policy:
    """RFC 8461 §3.2: `key: value` lines (CRLF or LF); the first of a repeated field wins, mx repeats,
    unknown fields are ignored."""
    fields: dict[str, str] = {}
    mx: list[str] = []
    for line in text.replace("\r\n", "\n").split("\n"):
        if not line.strip():
            continue
        key, colon, value = line.partition(":")
        if not colon:
            raise PolicyError(f"line {line!r} is not `key: value`")
        key, value = key.strip(), value.strip()
        if key == "mx":
            mx.append(value.lower().rstrip("."))
        else:
            fields.setdefault(key, value)
    if fields.get("version") != "STSv1":
        raise PolicyError(f"version must be STSv1, not {fields.get('version')!r}")
    mode = fields.get("mode")
    if mode not in MODES:
        raise PolicyError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    age = fields.get("max_age", "")
    if not age.isdigit() or len(age) > 10 or int(age) > 31557600:
        raise PolicyError(f"max_age must be 0..31557600 seconds, not {age!r}")
    if not mx and mode != "none":
        raise PolicyError("no mx: line")
    return Policy("STSv1", mode, int(age), tuple(mx))


def check_txt(ctx: CheckContext, domain: str, declared_id: str) -> tuple[Result, str | None]:
    """The TXT result and the id it carries (None when absent)."""
    name = f"_mta-sts.{domain}"
    expected = (f"v=STSv1; id={declared_id};",)
    try:
        found = ctx.resolver.values(name, "TXT")
    except DnsError as e:
        return dns_error(domain, CHECK, f"{name} TXT", e), None
    records = [tags.parse(v) for v in found if tags.parse(v).get("v") == "STSv1"]
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
    host = f"mta-sts.{domain}"
    url = f"https://{host}{PATH}"
    text = policy_text(ctx.decl)
    declared = parse_policy(text)
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
        served = parse_policy(response.body.decode("utf-8"))
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
    uncovered = [h for h in hosts if not any(mx_matches(p, h) for p in served.mx)]
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
    declared_id = policy_id(policy_text(ctx.decl))
    txt, published_id = check_txt(ctx, domain.name, declared_id)
    return [txt, *check_policy(ctx, domain.name, published_id, declared_id)]
