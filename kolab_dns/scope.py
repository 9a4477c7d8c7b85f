"""Pull-request scoping: the zones whose expanded records differ between two declarations."""

from __future__ import annotations

from . import records
from .declaration import Declaration


def _by_zone(decl: Declaration) -> dict[str, frozenset]:
    return {zone: frozenset(rsets) for zone, rsets in records.by_zone(decl, records.expand(decl)).items()}


def changed_zones(old: Declaration, new: Declaration) -> dict[str, str]:
    """zone -> provider for every zone whose records differ, or that either side alone manages.

    A zone only the old declaration had (a removed domain that was a zone of its own) keeps its
    old provider, so the removal can be planned there.
    """
    before, after = _by_zone(old), _by_zone(new)
    providers = {**old.zone_providers(), **new.zone_providers()}
    return {
        zone: providers[zone]
        for zone in sorted(set(before) | set(after))
        if before.get(zone) != after.get(zone)
    }
