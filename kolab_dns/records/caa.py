"""CAA (RFC 8659): which certificate authorities may issue for the mail host.

Published at the host name, which carries the A/AAAA records: the names that need certificates
(`mta-sts.<domain>`, `autodiscover.<domain>`) are CNAMEs to it, and a CA looking up CAA follows
the CNAME. Customers' own apexes stay untouched, so their web sites keep whatever CA they use.
With a report address, `iodef` tells CAs where to report refused requests.
"""

from __future__ import annotations

from ..model import Declaration
from ..recordset import CAA, RecordSet

FAMILY = "caa"
ISSUE, IODEF = "issue", "iodef"


def caa_records(decl: Declaration) -> list[RecordSet]:
    dep = decl.deployment
    if not dep.caa:
        return []
    values = [CAA(0, ISSUE, ca) for ca in dep.caa]
    if dep.reports:
        values.append(CAA(0, IODEF, f"mailto:{dep.reports}"))
    return [RecordSet(dep.hostname, "CAA", dep.ttl, tuple(values), dep.hostname, FAMILY)]
