"""SPF as receivers evaluate it, by pyspf (an independent implementation, not our own parser).

For every mail domain, each IP of the hostname must `pass` for a sender of that domain, an
address outside the deployment must not pass, and evaluation must stay within RFC 7208's ten
DNS lookups (pyspf answers permerror past them). pyspf resolves through a module-level function;
`through(resolver)` points it at the run's resolver for the duration of the run.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import spf

from ..records.spf import LOOKUP_LIMIT
from .context import CheckContext
from .resolver import DnsError, Resolver
from .results import Result, Status

CHECK = "spf"
MAX_LOOKUPS = LOOKUP_LIMIT
# Documentation addresses (RFC 5737, RFC 3849): outside any real deployment.
OUTSIDERS = ("192.0.2.1", "198.51.100.1", "2001:db8::1", "2001:db8::2")


def _lookup_with(resolver: Resolver) -> Any:
    def lookup(name: str, qtype: str, strict: Any = True, timeout: float = 30) -> list[Any]:
        try:
            answer = resolver.lookup(name, qtype)
        except DnsError as e:
            raise spf.TempError(f"DNS {e}") from None
        out: list[Any] = []
        for r in answer.rdatas:
            if qtype in ("A", "AAAA"):
                out.append(((name, qtype), r.address))
            elif qtype == "MX":
                out.append(((name, qtype), (r.preference, r.exchange)))
            elif qtype == "PTR":
                out.append(((name, qtype), r.target.to_text(True)))
            elif qtype in ("TXT", "SPF"):
                out.append(((name, qtype), r.strings))
        return out

    return lookup


@contextmanager
def through(resolver: Resolver) -> Iterator[None]:
    saved = spf.DNSLookup
    spf.DNSLookup = _lookup_with(resolver)
    try:
        yield
    finally:
        spf.DNSLookup = saved


def _evaluate(ip: str, domain: str, helo: str) -> tuple[str, str, int]:
    q = spf.query(i=ip, s=f"postmaster@{domain}", h=helo, querytime=20)
    result, _code, explanation = q.check()
    return result, explanation, q.lookups


def outsider(ctx: CheckContext) -> str:
    dep = ctx.decl.deployment
    ours = set(dep.ipv4 + dep.ipv6)
    return next(ip for ip in OUTSIDERS if ip not in ours)


def check_domain(ctx: CheckContext, domain: str) -> list[Result]:
    dep = ctx.decl.deployment
    out: list[Result] = []

    def add(subject: str, status: Status, expected: str, found: str, hint: str = "") -> None:
        out.append(Result(domain, CHECK, subject, status, (expected,), (found,), hint))

    retry = "DNS could not be queried: retry"
    most = 0
    for ip in dep.ipv4 + dep.ipv6:
        result, why, lookups = _evaluate(ip, domain, dep.hostname)
        most = max(most, lookups)
        family = "IPv4" if ipaddress.ip_address(ip).version == 4 else "IPv6"
        if result == "pass":
            add(ip, Status.OK, "pass", "pass")
        elif result == "temperror":
            add(ip, Status.ERROR, "pass", f"temperror: {why}", retry)
        else:
            add(
                ip,
                Status.FAIL,
                "pass",
                f"{result}: {why}",
                f"the SPF record of {domain} must authorise {ip} (the mail host's {family} address)",
            )
    stranger = outsider(ctx)
    result, why, lookups = _evaluate(stranger, domain, dep.hostname)
    most = max(most, lookups)
    subject = f"{stranger} (outside the deployment)"
    if result == "temperror":
        add(subject, Status.ERROR, "not pass", f"temperror: {why}", retry)
    elif result == "pass":
        add(
            subject,
            Status.FAIL,
            "not pass",
            "pass",
            f"the SPF record of {domain} lets strangers pass: drop `+all` and broad ranges",
        )
    else:
        add(subject, Status.OK, "not pass", result)
    if any(r.status is Status.ERROR for r in out):
        add("DNS lookups", Status.ERROR, f"<= {MAX_LOOKUPS}", "unknown: DNS could not be queried", retry)
    elif most <= MAX_LOOKUPS:
        add("DNS lookups", Status.OK, f"<= {MAX_LOOKUPS}", str(most))
    else:
        add(
            "DNS lookups",
            Status.FAIL,
            f"<= {MAX_LOOKUPS}",
            str(most),
            f"SPF of {domain} needs {most} DNS lookups; receivers give permerror past {MAX_LOOKUPS}",
        )
    return out
