"""The mail host's addresses, and PTRs for the reverse zones managed here."""

from __future__ import annotations

from .. import names
from ..model import Declaration
from ..recordset import RecordSet

FAMILY = "host"
PTR_FAMILY = "ptr"


def host_records(decl: Declaration) -> list[RecordSet]:
    dep = decl.deployment
    out = []
    if dep.ipv4:
        out.append(RecordSet(dep.hostname, "A", dep.ttl, dep.ipv4, dep.hostname, FAMILY))
    if dep.ipv6:
        out.append(RecordSet(dep.hostname, "AAAA", dep.ttl, dep.ipv6, dep.hostname, FAMILY))
    return out


def ptr_records(decl: Declaration) -> list[RecordSet]:
    """One PTR per IP of the hostname whose reverse zone is listed under zones:."""
    dep = decl.deployment
    out = []
    for ip in dep.ipv4 + dep.ipv6:
        owner = names.reverse_name(ip).rstrip(".")
        zone = names.longest_zone(owner, decl.zones)
        if zone:
            out.append(RecordSet(owner, "PTR", dep.ttl, (dep.hostname + ".",), zone, PTR_FAMILY))
    return out


def unmanaged_ptr_ips(decl: Declaration) -> list[str]:
    """IPs whose PTR must be set at the IP's provider, because no reverse zone here holds them."""
    dep = decl.deployment
    return [
        ip
        for ip in dep.ipv4 + dep.ipv6
        if not names.longest_zone(names.reverse_name(ip).rstrip("."), decl.zones)
    ]
