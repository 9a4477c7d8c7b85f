"""DMARC and TLS-RPT, parsed tag by tag and compared with the declaration.

Receivers read tags, not text: a record that orders or spaces its tags differently still works, so
the comparison is per tag and the hint names the tags that differ. The report-authorization
records (RFC 7489 §7.1, `<domain>._report._dmarc.<report domain>`) are expected records like any
other and are checked as such.
"""

from __future__ import annotations

from ..recordset import RecordSet
from . import tags
from .context import CheckContext
from .records import check_recordset, expected_values, family, subject
from .resolver import DnsError
from .results import Result, Status, dns_error

# (record family, version tag value that marks one of its records)
VERSIONS = {"dmarc": "dmarc1", "tls-rpt": "tlsrptv1"}


def _ours(text: str, version: str) -> bool:
    return tags.parse(text).get("v", "").lower() == version


def check_tagged(ctx: CheckContext, group: str, rs: RecordSet) -> Result:
    check = family(rs)
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
    out = []
    for rs in recordsets:
        if family(rs) not in VERSIONS:
            continue
        labels = rs.name.split(".")
        if labels[0] in ("_dmarc", "_smtp") and rs.type == "TXT":
            out.append(check_tagged(ctx, group, rs))
        else:  # report authorization and anything else under _dmarc: the record itself
            out.append(check_recordset(ctx, group, family(rs), rs))
    return out
