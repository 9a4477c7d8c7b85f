"""SPF text: the values kolab-dns publishes, extra senders, and their DNS-lookup cost.

RFC 7208 §4.6.4 allows a receiver at most 10 DNS-querying terms per check, counted across
included records; over that the result is permerror and mail fails SPF everywhere. The cost of
our own records is known from the declaration, so it is computed offline before any plan. An
`include:` of a domain declared elsewhere costs one lookup here plus whatever that domain's record
costs, which only a live check (`kolab-dns check`, pyspf) can see.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass

from ..model import Declaration

VERSION = "v=spf1"  # the first term of every SPF record (RFC 7208 §4.5)
LOOKUP_LIMIT = 10
# Terms that make the receiver query DNS (RFC 7208 §4.6.4); `ptr` is refused outright.
LOOKUP_TERMS = frozenset({"a", "mx", "include", "exists", "redirect"})
_LABEL = re.compile(r"^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$")  # SPF domains may hold _labels
_MECHANISM = re.compile(r"^([+?~-]?)(a|mx|ip4|ip6|include|exists)(?::([^/]*))?(/\d{1,3})?(//\d{1,3})?$")


def primary_value(hostname: str, extra: tuple[str, ...] = ()) -> str:
    """The primary names the Kolab host, then any extra senders the declaration lists."""
    return " ".join([VERSION, "mx", f"a:{hostname}", f"mx:{hostname}", *extra, "-all"])


def secondary_value(primary: str) -> str:
    """Secondaries delegate to the primary, so a new sender is added in one place."""
    return f"{VERSION} mx include:{primary} -all"


def check_mechanism(term: str) -> str:
    """A normalized extra sender term, or ValueError saying what is wrong with it."""
    text = term.strip()
    lowered = text.lower()
    if lowered.lstrip("+?~-") in ("all", "ptr") or lowered.lstrip("+?~-").startswith(("ptr:", "redirect=")):
        raise ValueError(f"{text!r}: kolab-dns ends the record with -all itself, and ptr is deprecated")
    m = _MECHANISM.match(lowered)
    if not m:
        raise ValueError(f"{text!r} is not an SPF mechanism (ip4:, ip6:, a, mx, include:, exists:)")
    _, kind, arg, cidr, cidr6 = m.groups()
    if kind in ("ip4", "ip6"):
        if arg and "%" in arg:  # ipaddress takes a zone index (fe80::1%eth0); SPF has none (RFC 7208 5.6)
            raise ValueError(f"{text!r}: an address with a zone index (%...) is not an SPF {kind} network")
        try:
            net = ipaddress.ip_network(f"{arg}{cidr or ''}", strict=False)
        except ValueError:
            raise ValueError(f"{text!r}: {arg!r} is not an IPv{kind[-1]} address or network") from None
        if net.version != int(kind[-1]) or cidr6:
            raise ValueError(f"{text!r} is not an {kind} network")
        return text
    if kind in ("include", "exists") and not arg:
        raise ValueError(f"{text!r} needs a domain")
    if arg and "%" not in arg:  # macros are for the receiver to expand
        labels = arg.rstrip(".").split(".")
        if len(labels) < 2 or len(arg) > 253 or not all(_LABEL.match(label) for label in labels):
            raise ValueError(f"{text!r}: {arg!r} is not a valid domain name")
    return text


@dataclass(frozen=True)
class Cost:
    """DNS lookups one SPF check costs; `unknown` lists includes whose own cost is not known here."""

    lookups: int
    unknown: tuple[str, ...] = ()

    def __str__(self) -> str:
        more = f" + those of {', '.join(self.unknown)}" if self.unknown else ""
        return f"{self.lookups} of {LOOKUP_LIMIT} DNS lookups{more}"


def lookup_cost(
    value: str, resolve: Callable[[str], str | None], _seen: frozenset[str] = frozenset()
) -> Cost:
    """The lookups a receiver makes for `value`; resolve() gives a declared domain's SPF text."""
    lookups, unknown = 0, []
    for term in value.split()[1:]:
        kind, _, arg = term.lstrip("+?~-").partition(":")
        kind, _, redirect = kind.partition("=")
        arg = arg or redirect
        if kind.lower() not in LOOKUP_TERMS:
            continue
        lookups += 1
        if kind.lower() in ("include", "redirect"):
            target = arg.lower().rstrip(".")
            text = None if target in _seen else resolve(target)
            if text is None:
                unknown.append(target)
                continue
            inner = lookup_cost(text, resolve, _seen | {target})
            lookups += inner.lookups
            unknown.extend(inner.unknown)
    return Cost(lookups, tuple(unknown))


def costs(decl: Declaration) -> tuple[Cost, Cost]:
    """The cost of the primary's record and of every secondary's (which includes the primary's)."""
    primary = decl.primary.name
    primary_text = primary_value(decl.deployment.hostname, decl.deployment.spf)
    resolve = {primary: primary_text}.get
    return lookup_cost(primary_text, resolve), lookup_cost(secondary_value(primary), resolve)
