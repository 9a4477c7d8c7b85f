"""Expected records: each declared RRset against what DNS answers, and foreign values beside them.

Ownership decides what "equal" means (kolab_dns/ownership.py): a record set kolab-dns owns wholly
must hold exactly the declared values; in a shared TXT set (the apex: SPF, kolab-verify) only the
values of kolab-dns's families count, and other tools' values (site verification) are left alone.
Values kolab-dns did not put at a name it owns are reported as `foreign`, as is a CNAME that
shadows an owned name. Record families with a check of their own (PTR, DKIM, DMARC, TLS-RPT,
MTA-STS TXT, kolab-verify) are left to those checks.
"""

from __future__ import annotations

from ..ownership import is_shared, owns_txt_value
from ..records import dkim, dmarc, host, kolab, mta_sts, report_auth, spf, tls_rpt
from ..recordset import RecordSet
from .context import CheckContext
from .resolver import Answer, DnsError
from .results import Result, Status, dns_error

# Record families with a check of their own; every other record set is judged here as it is.
OWN_CHECKS = {
    host.PTR_FAMILY: "fcrdns",
    dkim.FAMILY: "dkim",
    dmarc.FAMILY: "dmarc",
    report_auth.FAMILY: "dmarc",
    tls_rpt.FAMILY: "tls-rpt",
    kolab.FAMILY: "kolab-verify",
}


def check_of(rs: RecordSet) -> str:
    """The check that judges this record set: its family's own, or the generic `record`."""
    if rs.family == mta_sts.FAMILY:  # the policy id has its own check, the CNAME is a plain record
        return "mta-sts" if rs.type == "TXT" else "record"
    return OWN_CHECKS.get(rs.family, "record")


def subject(rs: RecordSet) -> str:
    return f"{rs.name} {rs.type}"


def expected_values(rs: RecordSet) -> tuple[str, ...]:
    return tuple(sorted({str(v) for v in rs.values}))


def judge(ctx: CheckContext, group: str, check: str, rs: RecordSet, answer: Answer) -> Result:
    """One declared record set against one answer: ok, missing, different or foreign."""
    expected = expected_values(rs)
    found = answer.values
    what = subject(rs)
    if answer.chain and rs.type != "CNAME":
        return Result(
            group,
            "foreign",
            what,
            Status.DIFFERENT,
            expected,
            (f"CNAME {answer.chain[0]}", *found),
            f"a CNAME at {rs.name} hides the declared {rs.type}: remove the CNAME",
        )
    shared = is_shared(rs.type, expected)
    ours = tuple(v for v in found if owns_txt_value(v)) if shared else found
    if set(ours) == set(expected):
        return Result(group, check, what, Status.OK, expected, found)
    if not ours:
        return Result(group, check, what, Status.MISSING, expected, found, ctx.publish_hint(rs.name))
    extra = sorted(set(ours) - set(expected))
    if set(expected) <= set(ours):
        hint = f"remove {', '.join(extra)}: kolab-dns did not publish {'it' if len(extra) == 1 else 'them'}"
        if shared and rs.type == "TXT" and sum(v.lower().startswith(spf.VERSION) for v in ours) > 1:
            hint += " (more than one SPF record is a permerror)"
        if ctx.managed(rs.name) and (shared or ctx.published(rs.domain, rs.name, rs.type)):
            hint += "; `kolab-dns sync` removes it"
        return Result(group, "foreign", what, Status.DIFFERENT, expected, found, hint)
    hint = ctx.sync_hint(rs.domain, rs.name, rs.type, shared)
    return Result(group, check, what, Status.DIFFERENT, expected, found, hint)


def check_recordset(ctx: CheckContext, group: str, check: str, rs: RecordSet) -> Result:
    try:
        answer = ctx.resolver.lookup(rs.name, rs.type)
    except DnsError as e:
        return dns_error(group, check, subject(rs), e)
    return judge(ctx, group, check, rs, answer)


def check_records(ctx: CheckContext, group: str, recordsets: list[RecordSet]) -> list[Result]:
    """The generic records of one domain (those no family check claims)."""
    return [check_recordset(ctx, group, "record", rs) for rs in recordsets if check_of(rs) == "record"]
