"""The mail host's mail ports: SMTP on 25 for other MTAs (and its TLSA), submission on 465/587,
IMAP on 143/993 and ManageSieve on 4190 for clients. One probe per port, whatever the number of
domains: they all use the same host.

A certificate not valid for the MX name fails port 25 only when a domain publishes MTA-STS
`enforce` (those senders then refuse the MX); otherwise senders deliver over unverified TLS and
the check warns.
"""

from __future__ import annotations

from ..context import CheckContext
from ..results import Result
from . import dane, tls_probe, verdicts
from .dialogues import SMTP_MX, Service
from .targets import settings, target


def enforcing(ctx: CheckContext) -> tuple[str, ...]:
    """The declared domains whose MTA-STS policy is `enforce`."""
    if ctx.decl.deployment.mta_sts.mode != "enforce":
        return ()
    return tuple(d.name for d in ctx.decl.domains if d.mta_sts)


def check_mx(ctx: CheckContext) -> list[Result]:
    host = ctx.decl.deployment.hostname
    where = target(ctx, host, SMTP_MX.check, host, SMTP_MX.port)
    if isinstance(where, Result):
        return [where]
    probe = tls_probe.probe(where, SMTP_MX, settings(ctx))
    strict = enforcing(ctx)
    if strict:
        shown = ", ".join(strict[:3]) + (f" and {len(strict) - 3} more" if len(strict) > 3 else "")
        why = f"MTA-STS enforce ({shown}) makes senders refuse an MX whose certificate does not match"
    else:
        why = (
            "no domain publishes MTA-STS enforce, so senders still deliver over unverified TLS; "
            "enforce (or DANE) would make them refuse"
        )
    return [*verdicts.judge(host, SMTP_MX, probe, bool(strict), why), *dane.check(ctx, host, probe)]


def check_client_port(ctx: CheckContext, service: Service) -> list[Result]:
    host = ctx.decl.deployment.hostname
    where = target(ctx, host, service.check, host, service.port)
    if isinstance(where, Result):
        return [where]
    return verdicts.judge(host, service, tls_probe.probe(where, service, settings(ctx)))
