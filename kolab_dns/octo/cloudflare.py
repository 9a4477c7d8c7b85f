"""Cloudflare's automatic TTL, as kolab-dns treats it while planning.

Cloudflare can hold any record on "automatic" TTL (ttl=1 in its API, served as 300 s).
octodns-cloudflare reads such a record as `octodns: {cloudflare: {auto-ttl: true}}` and plans an
update for every desired record without that flag. Records of other tools are copied from the
target as they are (flag included), so they never differ. For record sets kolab-dns manages,
a record that someone switched to automatic TTL in the dashboard stays on automatic TTL: kolab-dns
keeps enforcing its values, and Cloudflare keeps choosing the TTL (a new `kolab.ttl` does not
reach it). Proxied records are not kept proxied: mail to a host behind Cloudflare's HTTP proxy
goes nowhere, so a proxied record of kolab-dns's goes back to what the declaration says.
"""

from __future__ import annotations

import logging

from octodns.record import Record
from octodns.zone import Zone

log = logging.getLogger("kolab_dns.cloudflare")


def is_auto_ttl(record: Record) -> bool:
    """On Cloudflare's automatic TTL and not proxied."""
    flags = record.octodns.get("cloudflare") or {}
    return bool(flags.get("auto-ttl")) and not flags.get("proxied")


def keep_auto_ttl(desired: Zone, existing: Zone) -> list[Record]:
    """Flag desired records whose existing record set is on automatic TTL the same way.

    The flagged copy replaces the record in `desired` and takes the existing (served) TTL, so the
    plan shows what Cloudflare serves. Returns the replaced records.
    """
    held = {(r.name, r._type): r for r in existing.records if is_auto_ttl(r)}
    kept = []
    for record in list(desired.records):
        twin = held.get((record.name, record._type))
        if twin is None or is_auto_ttl(record):
            continue
        data = record.data
        data["type"] = record._type
        data["ttl"] = twin.ttl
        flags = dict(data.get("octodns", {}).get("cloudflare") or {})
        flags["auto-ttl"] = True
        data["octodns"] = {**data.get("octodns", {}), "cloudflare": flags}
        desired.add_record(
            Record.new(desired, record.name, data, record.source, lenient=True), replace=True, lenient=True
        )
        kept.append(record)
        log.info("%s %s stays on Cloudflare's automatic TTL", record.decoded_fqdn, record._type)
    return kept
