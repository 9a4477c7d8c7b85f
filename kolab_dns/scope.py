"""Pull-request scoping: the zones whose expanded records differ between two declarations.

A change that leaves the deployment, the listed zones and the primary alone can reach only the
zones of the domains it adds, removes or edits, the zones whose deployment records it changes (a
report authorization per domain) and, where it adds or removes a zone, the zone above it: only
those are expanded and compared, so adding one domain to a fleet of 10,000 costs
about what it costs in a fleet of 100. Any other change compares every zone.
"""

from __future__ import annotations

from .model import Declaration
from .records import Zoning


def changed_zones(old: Declaration, new: Declaration) -> dict[str, str]:
    """zone -> provider for every zone whose records differ, or that either side alone manages.

    A zone only the old declaration had (a removed domain that was a zone of its own) keeps its
    old provider, so the removal can be planned there.
    """
    before, after = Zoning(old), Zoning(new)
    reach = reachable_zones(old, new, before, after)
    candidates = set(before.zones) | set(after.zones) if reach is None else reach
    providers = {**before.zones, **after.zones}
    return {
        zone: providers[zone]
        for zone in sorted(candidates)
        if _records(before, zone) != _records(after, zone)
    }


def reachable_zones(old: Declaration, new: Declaration, before: Zoning, after: Zoning) -> set[str] | None:
    """The zones whose records the change can reach, or None if it can reach every zone."""
    if (old.deployment, old.zones, old.default_provider, old.primary) != (
        new.deployment,
        new.zones,
        new.default_provider,
        new.primary,
    ):
        return None
    old_domains = {d.name: d for d in old.secondaries}
    new_domains = {d.name: d for d in new.secondaries}
    zones: set[str] = set()
    for name in old_domains.keys() | new_domains.keys():
        if old_domains.get(name) != new_domains.get(name):
            zones |= before.zones_of(name) | after.zones_of(name)
    # The deployment's records for all domains (report authorizations) sit in one zone.
    for zone in {z for side in (before, after) for z, rsets in side.deployment.items() if rsets}:
        if frozenset(before.deployment.get(zone, ())) != frozenset(after.deployment.get(zone, ())):
            zones.add(zone)
    # A zone only one side has takes names from, or gives them back to, the zone above it.
    for zone in set(before.zones) ^ set(after.zones):
        zones.add(zone)
        for side in (before, after):
            if (above := side.zone_of(zone.partition(".")[2])) is not None:
                zones.add(above)
    return zones


def _records(zoning: Zoning, zone: str) -> frozenset | None:
    rsets = zoning.records(zone)
    return None if rsets is None else frozenset(rsets)
