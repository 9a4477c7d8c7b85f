"""Pull-request scoping: the zones whose expanded records differ between two declarations.

A change that leaves the deployment, the listed zones and the primary alone can reach only the
zones of the domains it adds, removes or edits, the zones whose deployment records it changes (a
report authorization per domain) and, where it adds or removes a zone, the zone above it: only
those are expanded and compared, so adding one domain to a fleet of 10,000 costs
about what it costs in a fleet of 100. Any other change compares every zone.

The usual pull request only adds or removes `- domain` lines: then the old declaration is the new
one with those lines swapped back (`derive_old`), and its 10,000 unchanged lines are not read twice.
"""

from __future__ import annotations

import bisect
import dataclasses
import operator
import re
from collections.abc import Sequence

from . import declaration, names, validate
from .errors import DeclarationError
from .gc_batches import fewer_collections
from .model import Declaration, MailDomain
from .records import ScopedZoning, Zoning

_ITEM = re.compile(r"( *)- ([a-z0-9][a-z0-9.-]*)[ \t]*\n?")  # a plain `- domain` line, nothing else
_SECONDARY = "secondary:\n"
_LINE = operator.attrgetter("line")
_OTHER_BREAKS = ("\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029")  # not "\n"


@fewer_collections()
def changed_zones(old: Declaration, new: Declaration) -> dict[str, str]:
    """zone -> provider for every zone whose records differ, or that either side alone manages.

    A zone only the old declaration had (a removed domain that was a zone of its own) keeps its
    old provider, so the removal can be planned there.
    """
    before, after = ScopedZoning(old), ScopedZoning(new)
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
    old_rest, new_rest = _unshared(old.secondaries, new.secondaries)
    old_domains = {d.name: d for d in old_rest}
    new_domains = {d.name: d for d in new_rest}
    zones: set[str] = set()
    for name in old_domains.keys() | new_domains.keys():
        if old_domains.get(name) != new_domains.get(name):
            zones |= before.zones_of(name) | after.zones_of(name)
    # The deployment's records for all domains (report authorizations) sit in one zone.
    for zone in {z for side in (before, after) for z, rsets in side.deployment.items() if rsets}:
        if frozenset(before.deployment.get(zone, ())) != frozenset(after.deployment.get(zone, ())):
            zones.add(zone)
    # A zone only one side has takes names from, or gives them back to, the zone above it.
    for zone in before.zones.keys() ^ after.zones.keys():
        zones.add(zone)
        for side in (before, after):
            if (above := side.zone_of(zone.partition(".")[2])) is not None:
                zones.add(above)
    return zones


def _unshared(old: Sequence[MailDomain], new: Sequence[MailDomain]) -> tuple[Sequence[MailDomain], ...]:
    """Both lists without the head and tail they share, the very same objects (derive_old builds
    the old declaration from the new one's). A shared domain's name is on both sides and on each
    only once, so comparing the rest by name finds every difference the whole would."""
    heads = list(map(operator.is_, old, new))
    head = heads.index(False) if False in heads else len(heads)
    tails = list(map(operator.is_, reversed(old), reversed(new)))
    tail = min(tails.index(False) if False in tails else len(tails), len(heads) - head)
    return old[head : len(old) - tail], new[head : len(new) - tail]


def _records(zoning: Zoning, zone: str) -> frozenset | None:
    rsets = zoning.records(zone)
    return None if rsets is None else frozenset(rsets)


@fewer_collections()
def derive_old(old_text: str, new_text: str, new: Declaration, path: str) -> Declaration | None:
    """The old declaration when the two texts differ only in one run of plain `- domain` lines of
    the `secondary:` list, built from the new (already valid) one; None when the old text must be
    read in full (any other change, or an old text that would not be valid)."""
    if any(sep in text for text in (old_text, new_text) for sep in _OTHER_BREAKS):
        return None
    if not (old_text.endswith("\n") and new_text.endswith("\n")):
        return None
    old_lines, new_lines = old_text.splitlines(keepends=True), new_text.splitlines(keepends=True)
    try:
        key = new_lines.index(_SECONDARY)
    except ValueError:
        return None
    start, end = 0, min(len(old_lines), len(new_lines))
    while start < end and old_lines[start] == new_lines[start]:
        start += 1
    tail = 0
    while tail < end - start and old_lines[-1 - tail] == new_lines[-1 - tail]:
        tail += 1
    if start <= key:
        return None
    first = _ITEM.fullmatch(new_lines[key + 1]) if key + 1 < len(new_lines) else None
    indent = first.group(1) if first else None
    removed = _names(old_lines[start : len(old_lines) - tail], indent)
    added = _names(new_lines[start : len(new_lines) - tail], indent)
    neighbours = [new_lines[start - 1]] if start - 1 > key else []
    if tail:
        neighbours.append(new_lines[len(new_lines) - tail])
    if removed is None or added is None or _names(neighbours, indent) is None:
        return None
    secondaries = new.secondaries  # in the order of their lines
    first = bisect.bisect_right(secondaries, start, key=_LINE)
    last = bisect.bisect_right(secondaries, start + len(added), key=_LINE)
    before, region, after = secondaries[:first], secondaries[first:last], secondaries[last:]
    if [d.name for d in region] != added:
        return None
    place = declaration.Placement(  # a plain line is placed exactly as the reader places it
        new.zones, new.default_provider, new.deployment.mta_sts.secondaries, new.deployment.kolab_verify
    )
    gone: list[MailDomain] = []
    for offset, name in enumerate(removed):
        try:
            if names.to_ascii(name) != name:
                return None
        except names.InvalidName:
            return None
        gone.append(place.plain(name, start + 1 + offset))
    domains = (new.primary, *before, *gone, *after)
    gone_names = {d.name for d in gone}
    if len(gone_names) != len(gone) or (
        gone_names and gone_names & ({d.name for d in new.domains} - {d.name for d in region})
    ):
        return None  # a duplicate: the old text's own error, from reading it in full
    old = dataclasses.replace(new, path=path, domains=domains, warnings=())
    try:
        validate.check(old)
    except DeclarationError:
        return None
    return old


def _names(lines: list[str], indent: str | None) -> list[str] | None:
    """The domains of plain `- domain` lines at this indentation, or None if a line is not one."""
    out = []
    for line in lines:
        m = _ITEM.fullmatch(line)
        if m is None or m.group(1) != indent:
            return None
        out.append(m.group(2))
    return out
