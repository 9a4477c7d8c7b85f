"""What kolab-dns owns, as data: read by the octoDNS processor, by `check` and by the docs.

kolab-dns owns wholly every (name, type) it generates, except TXT record sets whose values are
all of a shared family (SPF, Kolab's domain confirmation): at those names other tools keep their
own values (site verification tokens), and kolab-dns owns only values with these prefixes.

Without a state file it remembers what it owned through a marker per ownership anchor (a mail
domain, or a reverse zone): `_kolab-dns.<anchor>` TXT listing the (relative name, type) pairs it
published there. A later run deletes what a marker lists and the declaration no longer produces,
and nothing else.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from . import names
from .records import kolab, spf
from .recordset import RecordSet

MARKER_LABEL = "_kolab-dns"
MARKER_PREFIX = "kolab-dns/1 owns"
MARKER_FAMILY = "marker"
SHARED_TXT_PREFIXES: tuple[str, ...] = (spf.VERSION + " ", kolab.LABEL + "=")


def owns_txt_value(value: str) -> bool:
    """A value in a shared TXT set that belongs to kolab-dns."""
    return value.lower().startswith(SHARED_TXT_PREFIXES)


def is_shared(rtype: str, values: Iterable[str]) -> bool:
    """A TXT set kolab-dns shares with others at the value level."""
    return rtype == "TXT" and all(owns_txt_value(str(v)) for v in values)


def marker_name(anchor: str) -> str:
    return f"{MARKER_LABEL}.{anchor}"


def anchor_of(marker_owner: str) -> str | None:
    prefix = MARKER_LABEL + "."
    return marker_owner[len(prefix) :] if marker_owner.startswith(prefix) else None


def encode(entries: Iterable[tuple[str, str]]) -> str:
    """Marker text: sorted 'relname/TYPE' tokens, '@' for the anchor itself."""
    return " ".join([MARKER_PREFIX, *sorted(f"{n or '@'}/{t}" for n, t in set(entries))])


def decode(text: str) -> set[tuple[str, str]]:
    """(relative name, type) pairs; '' for the anchor. Unknown text decodes to nothing."""
    if not text.startswith(MARKER_PREFIX):
        return set()
    out = set()
    for token in text[len(MARKER_PREFIX) :].split():
        name, _, rtype = token.rpartition("/")
        if name and rtype:
            out.add(("" if name == "@" else name, rtype))
    return out


def expand_marker(anchor: str, text: str) -> set[tuple[str, str]]:
    """Absolute (owner name, type) pairs a marker at anchor claims."""
    return {(anchor if not rel else f"{rel}.{anchor}", rtype) for rel, rtype in decode(text)}


def markers(zone: str, recordsets: Iterable[RecordSet], ttl: int) -> list[RecordSet]:
    """The marker record sets for one zone's kolab-dns records.

    An anchor outside the zone (a PTR's reverse zone) moves to the zone apex, so a marker always
    sits in the same zone as what it lists.
    """
    groups: dict[str, set[tuple[str, str]]] = defaultdict(set)
    inside: dict[str, bool] = {}  # domain -> lies in the zone; a zone holds few domains, many records each
    for rs in recordsets:
        if (domain_inside := inside.get(rs.domain)) is None:
            domain_inside = inside[rs.domain] = names.is_subdomain(rs.domain, zone)
        anchor = rs.domain if domain_inside and names.is_subdomain(rs.name, rs.domain) else zone
        groups[anchor].add((names.relative(rs.name, anchor), rs.type))
    return [
        RecordSet(marker_name(anchor), "TXT", ttl, (encode(entries),), anchor, MARKER_FAMILY)
        for anchor, entries in sorted(groups.items())
    ]
