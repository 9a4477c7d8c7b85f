"""Where a probe connects: `--address` when given, else the host's first address in DNS (asked
through the run's resolver, so `--nameserver` applies here too)."""

from __future__ import annotations

from ..context import CheckContext
from ..resolver import DnsError
from ..results import Result, Status, dns_error
from .settings import EndpointSettings
from .tls_probe import Target


def settings(ctx: CheckContext) -> EndpointSettings:
    return ctx.endpoints or EndpointSettings()


def target(ctx: CheckContext, domain: str, check: str, host: str, port: int) -> Target | Result:
    """The target, or the Result that says why there is none (no address, DNS not answering)."""
    address = settings(ctx).address
    if address:
        return Target(host, port, address)
    subject = f"{host}:{port}"
    try:
        found = ctx.resolver.address(host)
    except DnsError as e:
        return dns_error(domain, check, subject, e)
    if found:
        return Target(host, port, found)
    return Result(
        domain,
        check,
        subject,
        Status.FAIL,
        (f"an A or AAAA record for {host}",),
        ("(nothing)",),
        f"{host} has no address, so nothing can connect to it (`--address` tests a deployment before DNS)",
    )
