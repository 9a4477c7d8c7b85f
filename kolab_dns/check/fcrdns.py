"""Forward-confirmed reverse DNS of the mail host: what receivers check before trusting a sender.

Each IP of the hostname must have exactly one PTR, to the hostname; the hostname must resolve back
to that IP through A/AAAA; and the hostname must not be a CNAME (MX and PTR targets may not be).
"""

from __future__ import annotations

import ipaddress

from .. import names
from .context import CheckContext
from .resolver import DnsError
from .results import Result, Status, dns_error

CHECK = "fcrdns"


def _ptr_hint(ctx: CheckContext, ip: str, owner: str) -> str:
    host = ctx.decl.deployment.hostname
    if names.longest_zone(owner, ctx.decl.zones):
        return f"`kolab-dns sync` sets the PTR of {ip} to {host}"
    return f"set the PTR of {ip} to {host} at the provider of that IP (its reverse zone is not managed here)"


def check_ip(ctx: CheckContext, ip: str) -> Result:
    host = ctx.decl.deployment.hostname
    owner = names.reverse_name(ip).rstrip(".")
    expected = (host + ".",)
    try:
        ptrs = ctx.resolver.values(owner, "PTR")
        if set(ptrs) != set(expected):
            status = Status.MISSING if not ptrs else Status.DIFFERENT
            return Result(host, CHECK, f"{ip} PTR", status, expected, ptrs, _ptr_hint(ctx, ip, owner))
        rdtype = "A" if ipaddress.ip_address(ip).version == 4 else "AAAA"
        back = ctx.resolver.values(host, rdtype)
    except DnsError as e:
        return dns_error(host, CHECK, f"{ip} PTR", e)
    if ip not in back:
        return Result(
            host,
            CHECK,
            f"{ip} PTR",
            Status.FAIL,
            (f"{host} {rdtype} {ip}",),
            tuple(f"{host} {rdtype} {a}" for a in back) or (f"{host} has no {rdtype}",),
            f"{host} must resolve back to {ip} (forward confirmation): add {ip} to its {rdtype}",
        )
    return Result(host, CHECK, f"{ip} PTR", Status.OK, expected, ptrs)


def check_not_cname(ctx: CheckContext) -> Result:
    host = ctx.decl.deployment.hostname
    try:
        cname = ctx.resolver.values(host, "CNAME")
    except DnsError as e:
        return dns_error(host, CHECK, f"{host} CNAME", e)
    if cname:
        return Result(
            host,
            CHECK,
            f"{host} CNAME",
            Status.FAIL,
            ("no CNAME",),
            cname,
            f"{host} is an MX and PTR target, which may not be a CNAME: give it A/AAAA records",
        )
    return Result(host, CHECK, f"{host} CNAME", Status.OK, ("no CNAME",), ("no CNAME",))


def check_host(ctx: CheckContext) -> list[Result]:
    dep = ctx.decl.deployment
    return [check_not_cname(ctx), *(check_ip(ctx, ip) for ip in dep.ipv4 + dep.ipv6)]
