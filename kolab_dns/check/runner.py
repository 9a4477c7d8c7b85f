"""Run every check of the chosen domains concurrently on a thread pool.

One task per mail domain (its records, SPF, DKIM, DMARC and its report authorization, MTA-STS,
Kolab confirmation) plus one for the mail host (A/AAAA, FCrDNS, `--dkim-key`); with `--endpoints`,
one per port of the mail host and one per domain for its web names. The resolver's cache is shared,
so what every domain refers to (the primary's SPF, the host's addresses) is asked once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import replace

from .. import records as expansion
from ..model import MailDomain
from ..progress import Progress
from ..records import report_auth
from ..records.host import PTR_FAMILY
from ..recordset import RecordSet
from . import dkim, dmarc, fcrdns, kolab, mta_sts, spf
from .context import CheckContext
from .endpoints import family as endpoints
from .records import check_records
from .resolver import DnsError
from .results import Result, dns_error

WORKERS = 32


def domain_checks(ctx: CheckContext, domain: MailDomain, recordsets: list[RecordSet]) -> list[Result]:
    return [
        *check_records(ctx, domain.name, recordsets),
        *spf.check_domain(ctx, domain.name),
        *dkim.check_domain(ctx, domain, recordsets),
        *dmarc.check_domain(ctx, domain.name, recordsets),
        *dmarc.check_report_auth(ctx, domain),
        *mta_sts.check_domain(ctx, domain),
        *kolab.check_domain(ctx, domain.name, recordsets),
    ]


def other_checks(ctx: CheckContext, group: str, recordsets: list[RecordSet]) -> list[Result]:
    """Records anchored outside the mail domains (the host's A/AAAA)."""
    return [*check_records(ctx, group, recordsets), *dmarc.check_domain(ctx, group, recordsets)]


def host_checks(ctx: CheckContext) -> list[Result]:
    return [
        *fcrdns.check_host(ctx),
        *(dkim.check_private_key(ctx, *key) for key in ctx.dkim_keys),
    ]


def _guarded(group: str, task: Callable[[], list[Result]]) -> Callable[[], list[Result]]:
    def run() -> list[Result]:
        try:
            return task()
        except DnsError as e:
            return [dns_error(group, "dns", group, e)]

    return run


def run(
    ctx: CheckContext,
    domains: list[MailDomain],
    with_host: bool,
    progress: Progress | None = None,
    workers: int = WORKERS,
) -> list[Result]:
    """Every result, grouped by domain in declaration order (the mail host first if it is none)."""
    primary = ctx.decl.primary.name
    try:
        ctx.resolver.probe(primary)
    except DnsError as e:
        down = dns_error(primary, "dns", ctx.resolver.where, e)
        return [replace(down, hint="nothing was checked: is the server up, and the address right?")]

    buckets: dict[str, list[RecordSet]] = defaultdict(list)
    for rs in expansion.expand(ctx.decl, domains):
        if rs.family not in (PTR_FAMILY, report_auth.FAMILY):  # fcrdns, check_report_auth
            buckets[rs.domain].append(rs)
    tasks: dict[str, list[Callable[[], list[Result]]]] = defaultdict(list)
    for d in domains:
        tasks[d.name].append(lambda d=d: domain_checks(ctx, d, buckets.get(d.name, [])))
    host = ctx.decl.deployment.hostname
    if with_host:
        tasks[host].append(lambda: host_checks(ctx))
    if ctx.endpoints is not None:  # the host serves every domain: its ports are probed once
        tasks[host].extend(endpoints.host_tasks(ctx))
        for d in domains:
            tasks[d.name].append(lambda d=d: endpoints.domain_checks(ctx, d))
    chosen = {d.name for d in domains}
    for group, recordsets in list(buckets.items()):
        if group not in chosen and (with_host or group != host):
            tasks[group].append(lambda g=group, r=recordsets: other_checks(ctx, g, r))

    order = {name: i for i, name in enumerate([host, *(d.name for d in domains)])}
    jobs = [(group, i, _guarded(group, t)) for group, ts in tasks.items() for i, t in enumerate(ts)]
    collected: dict[tuple[str, int], list[Result]] = {}
    pending = {group: len(ts) for group, ts in tasks.items()}  # progress counts whole groups
    with spf.through(ctx.resolver), ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(job): (group, i) for group, i, job in jobs}
        for future in as_completed(futures):
            group, i = futures[future]
            collected[(group, i)] = future.result()
            pending[group] -= 1
            if progress and not pending[group]:
                progress(sum(1 for n in pending.values() if not n), len(pending))
    out: list[Result] = []
    for key in sorted(collected, key=lambda k: (order.get(k[0], len(order)), k[0], k[1])):
        out.extend(collected[key])
    return out
