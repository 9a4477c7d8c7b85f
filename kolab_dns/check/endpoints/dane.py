"""A published `_25._tcp.<mx>` TLSA against the certificate port 25 really serves.

DANE senders (RFC 7672) refuse delivery when no TLSA record matches, but only in a DNSSEC-signed
zone: unsigned, the records are ignored. Both cases are said, with the record to publish.
"""

from __future__ import annotations

from ...records import tlsa
from ..context import CheckContext
from ..resolver import DnsError
from ..results import Result, Status, dns_error
from .tls_probe import Probe

CHECK = "tlsa"


def _zone_apex(ctx: CheckContext, host: str) -> str | None:
    """The zone holding host: the nearest name upwards with an SOA record."""
    labels = host.split(".")
    for i in range(len(labels) - 1):
        name = ".".join(labels[i:])
        if ctx.resolver.values(name, "SOA"):
            return name
    return None


def check(ctx: CheckContext, host: str, probe: Probe) -> list[Result]:
    """Nothing when no TLSA is published (DANE is optional); else one result."""
    name = tlsa.tlsa_name(host)
    subject = f"{name} TLSA"
    try:
        published = ctx.resolver.values(name, "TLSA")
        if not published:
            return []
        apex = _zone_apex(ctx, host)
        signed = bool(apex and ctx.resolver.values(apex, "DNSKEY"))
    except DnsError as e:
        return [dns_error(host, CHECK, subject, e)]
    if probe.cert is None:
        hint = "port 25 gave no certificate to compare (see the smtp results)"
        return [Result(host, CHECK, subject, Status.FAIL, ("a certificate on port 25",), published, hint)]
    live = str(tlsa.dane_ee(probe.cert))
    expected = (f"a record matching the certificate on port 25, e.g. {live}",)
    verdicts = []
    for text in published:
        try:
            verdicts.append(tlsa.matches(tlsa.parse(text), probe.cert))
        except ValueError:
            verdicts.append(False)
    unsigned = (
        f"DANE needs a DNSSEC-signed zone: {apex or 'the zone of ' + host} has no DNSKEY, so senders "
        "ignore this TLSA; sign the zone and publish its DS at the parent"
    )
    if True in verdicts:
        if signed:
            return [Result(host, CHECK, subject, Status.OK, expected, published)]
        return [Result(host, CHECK, subject, Status.WARN, expected, published, unsigned)]
    if False not in verdicts:
        hint = "only trust-anchor records (they name a CA of the chain), which this check does not compare"
        return [Result(host, CHECK, subject, Status.WARN, expected, published, hint)]
    hint = (
        f"no TLSA record matches the certificate on port 25: DANE senders refuse delivery"
        f"{'' if signed else ' once the zone is signed'}; publish {live} "
        f"(`kolab-dns tlsa --from-endpoint {host}:25`) before the old key goes, and keep both until "
        "caches forget the old record"
    )
    return [Result(host, CHECK, subject, Status.FAIL, expected, published, hint)]
