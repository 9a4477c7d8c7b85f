"""DMARC and TLS-RPT, parsed tag by tag and compared with the declaration.

Receivers read tags, not text: a record that orders or spaces its tags differently still works, so
the comparison is per tag and the hint names the tags that differ. Where DMARC reports go to
another organizational domain, `<domain>._report._dmarc.<report domain>` must say `v=DMARC1`
(RFC 7489 §7.1): checked for every domain that needs it, whether or not kolab-dns manages the
report domain's zone (otherwise receivers silently drop the reports).
"""

from __future__ import annotations

from ..model import MailDomain
from ..records import dmarc, report_auth, tags, tls_rpt
from ..recordset import RecordSet
from .context import CheckContext
from .records import check_of, check_recordset, expected_values, subject
from .resolver import DnsError
from .results import Result, Status, dns_error

# check -> the version tag value that marks one of its records (compared in lower case)
VERSIONS = {"dmarc": dmarc.VERSION.lower(), "tls-rpt": tls_rpt.VERSION.lower()}


def _ours(text: str, version: str) -> bool:
    return tags.parse(text).get("v", "").lower() == version


def check_tagged(ctx: CheckContext, group: str, rs: RecordSet) -> Result:
    check = check_of(rs)
    version = VERSIONS[check]
    what = subject(rs)
    expected = expected_values(rs)
    try:
        found = ctx.resolver.values(rs.name, "TXT")
    except DnsError as e:
        return dns_error(group, check, what, e)
    records = [v for v in found if _ours(v, version)]
    if not records:
        return Result(group, check, what, Status.MISSING, expected, found, ctx.publish_hint(rs.name))
    if len(records) > 1:
        return Result(
            group,
            check,
            what,
            Status.DIFFERENT,
            expected,
            found,
            f"{len(records)} {check.upper()} records: receivers ignore them all; keep one",
        )
    diff = tags.differences(tags.parse(expected[0]), tags.parse(records[0]))
    if diff:
        fix = "`kolab-dns sync` restores it" if ctx.managed(rs.name) else ctx.publish_hint(rs.name)
        return Result(group, check, what, Status.DIFFERENT, expected, found, "; ".join(diff) + f": {fix}")
    others = [v for v in found if v not in records]
    if others:
        return Result(
            group,
            "foreign",
            what,
            Status.DIFFERENT,
            expected,
            found,
            f"remove {', '.join(others)}: kolab-dns did not publish it at a name it owns",
        )
    return Result(group, check, what, Status.OK, expected, found)


def check_domain(ctx: CheckContext, group: str, recordsets: list[RecordSet]) -> list[Result]:
    """DMARC and TLS-RPT records; report authorizations come from check_report_auth."""
    out = []
    for rs in recordsets:
        if check_of(rs) not in VERSIONS or rs.family == report_auth.FAMILY:
            continue
        if rs.type == "TXT":
            out.append(check_tagged(ctx, group, rs))
        else:
            out.append(check_recordset(ctx, group, check_of(rs), rs))
    return out


def check_report_auth(ctx: CheckContext, domain: MailDomain) -> list[Result]:
    target, needing = ctx.report_auth
    if target is None or domain.name not in needing:
        return []
    name = report_auth.name(domain.name, target)
    rs = RecordSet(name, "TXT", ctx.decl.deployment.ttl, (report_auth.VALUE,), target, report_auth.FAMILY)
    return [check_tagged(ctx, domain.name, rs)]
