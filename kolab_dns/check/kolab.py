"""Kolab's domain confirmation: Kolab 4 confirms a secondary domain when `kolab-verify.<domain>` is
a CNAME to `<md5>.<domain>.`, or when the apex TXT holds `kolab-verify=<md5>`. The declaration
publishes the CNAME; either form confirms the domain, so either passes.
"""

from __future__ import annotations

from ..records import kolab
from ..recordset import RecordSet
from .context import CheckContext
from .records import check_recordset
from .resolver import DnsError
from .results import Result, Status

CHECK = "kolab-verify"


def check_domain(ctx: CheckContext, group: str, recordsets: list[RecordSet]) -> list[Result]:
    out = []
    for rs in recordsets:
        if rs.family != kolab.FAMILY:
            continue
        result = check_recordset(ctx, group, CHECK, rs)
        if result.status is Status.MISSING:
            token = kolab.apex_token(rs.domain)
            try:
                apex = ctx.resolver.values(rs.domain, "TXT")
            except DnsError:
                apex = ()
            if token in apex:
                result = Result(group, CHECK, f"{rs.domain} TXT", Status.OK, (token,), (token,))
        out.append(result)
    return out
