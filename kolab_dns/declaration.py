"""The Kolab declaration: YAML with line numbers in, the validated, frozen model out.

Every problem is raised as one DeclarationError naming file, line and dotted key, so the CLI can
print it on one line. This module reads the top level, the zones and the mail domains;
deployment.py reads `kolab:`; checks that span sections run in validate.py once the model is
whole. Nothing here touches DNS or octoDNS.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any

from . import names, validate
from .deployment import KOLAB_KEYS, read_deployment
from .gc_batches import fewer_collections
from .located import Doc, LDict, LList, load_file
from .model import Declaration, MailDomain, plain_secondaries
from .network.parse import read_network
from .reader import Reader, kind

LOCAL_PROVIDER = "local"
_PROVIDER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")

_TOP_KEYS = ("kolab", "zones", "default_provider", "primary", "secondary", "network")
DOMAIN_OVERRIDES = ("provider", "zone", "managed", "mta_sts", "kolab_verify")


def load(path: str, display: str | None = None) -> Declaration:
    """Load and validate a declaration file."""
    doc = load_file(path, display)
    return parse(doc, base_dir=os.path.dirname(os.path.abspath(path)))


@fewer_collections()
def parse(doc: Doc, base_dir: str = ".") -> Declaration:
    r = Reader(doc)
    data = doc.data
    if data is None:  # an empty file (or only comments)
        data = LDict()
        data.line, data.lines = 1, {}
    top = r.mapping(data, "", getattr(data, "line", 1), _TOP_KEYS, required=("kolab", "primary"))
    primary_name = r.name(top["primary"], "primary", top.lines["primary"])
    kolab = r.mapping(top["kolab"], "kolab", top.lines["kolab"], KOLAB_KEYS)
    warnings: list[str] = []
    deployment = read_deployment(r, kolab, primary_name, base_dir, warnings)
    network = read_network(r, top, deployment.ipv4, warnings)  # None without a network: section

    default_provider = top.get("default_provider", LOCAL_PROVIDER)
    _provider_name(r, default_provider, "default_provider", top.lines.get("default_provider"))
    zones = _zones(r, top.get("zones"), top.lines.get("zones"))
    place = Placement(zones, default_provider, deployment.mta_sts.secondaries, deployment.kolab_verify)
    domains = [
        _primary(primary_name, top.lines["primary"], place),
        *_secondaries(r, top, primary_name, place),
    ]

    zone_lines = top["zones"].lines.values() if zones else ()
    lines = {f"zones.{z}": zl for z, zl in zip(zones, zone_lines, strict=True)}
    lines["default_provider"] = top.lines.get("default_provider", 1)
    lines["kolab.spf"] = kolab.lines.get("spf", kolab.line)
    if isinstance(kolab.get("mta_sts"), LDict):
        lines["kolab.mta_sts.mx"] = kolab["mta_sts"].lines.get("mx", kolab["mta_sts"].line)
    decl = Declaration(
        doc.file, deployment, zones, default_provider, tuple(domains), tuple(warnings), lines, network
    )
    validate.check(decl)
    return decl


# --- zones and domains -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Placement:
    """What decides where a domain's records go, and the deployment-wide defaults of its switches."""

    zones: dict[str, str]
    default_provider: str
    mta_sts: bool
    kolab_verify: bool

    def plain(self, name: str, line: int) -> MailDomain:
        """A `- domain` line with no overrides: most of a fleet, placed cheaply."""
        zone = names.longest_zone(name, self.zones) or name
        provider = self.zones.get(zone) or self.default_provider
        return MailDomain(name, False, zone, provider, True, self.mta_sts, self.kolab_verify, line)

    def plain_list(self, domains: list[str], lines: list[int]) -> list[MailDomain]:
        """What plain() gives for each of a list of names, in fewer steps per name: a name not
        itself a listed zone lies in the zone of its parent, looked up once per distinct parent
        (a fleet's 10,000 names have a handful)."""
        zones, default = self.zones, self.default_provider
        parents = [name.partition(".")[2] for name in domains]
        above = {parent: names.longest_zone(parent, zones) for parent in set(parents)}
        placed = [
            name if name in zones else above[parent] or name
            for name, parent in zip(domains, parents, strict=True)
        ]
        rows = zip(domains, placed, [zones.get(zone) or default for zone in placed], lines, strict=True)
        return plain_secondaries(rows, self.mta_sts, self.kolab_verify)


def _provider_name(r: Reader, value: Any, key: str, line: int | None) -> str:
    r.typed(value, str, key, line, "a provider name (a file in providers/)")
    if not _PROVIDER.match(value):
        raise r.fail(f"{value!r} is not a valid provider name", key, line)
    return value


def _zones(r: Reader, value: Any, line: int | None) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, LDict):
        raise r.fail(f"expected a mapping of zone: provider, got {kind(value)}", "zones", line)
    zones: dict[str, str] = {}
    for raw, provider in value.items():
        key, zline = f"zones.{raw}", value.lines[raw]
        zone = r.name(raw, key, zline)
        if zone in zones:
            raise r.fail(f"zone {zone!r} is listed twice", key, zline)
        zones[zone] = _provider_name(r, provider, key, zline)
    return zones


def _primary(name: str, line: int, place: Placement) -> MailDomain:
    zone = names.longest_zone(name, place.zones) or name
    provider = place.zones.get(zone) or place.default_provider
    return MailDomain(name, True, zone, provider, True, True, False, line)


def _secondaries(r: Reader, top: LDict, primary: str, place: Placement) -> list[MailDomain]:
    plain = _plain_secondaries(top.get("secondary"), primary, place)
    if plain is not None:
        return plain
    out: list[MailDomain] = []
    seen = {primary: ("primary", top.lines["primary"])}
    for index, (item, line) in enumerate(
        r.items(top.get("secondary"), "secondary", top.lines.get("secondary"))
    ):
        key = f"secondary[{index}]"
        raw, overrides = _secondary_item(r, item, key, line)
        name = r.name(raw, key, line)
        if name in seen:
            other_key, other_line = seen[name]
            what = "the primary domain" if other_key == "primary" else f"{other_key} (line {other_line})"
            raise r.fail(f"duplicate domain {name!r}: already declared as {what}", key, line)
        seen[name] = (key, line)
        if overrides is None:
            out.append(place.plain(name, line))
        else:
            out.append(_overridden(r, name, overrides, key, line, place))
    return out


def _plain_secondaries(value: Any, primary: str, place: Placement) -> list[MailDomain] | None:
    """The usual fleet, a list of distinct plain names and nothing else, read in bulk: what the
    loop in _secondaries makes of it (which reads and reports everything else), or None."""
    if not isinstance(value, LList) or not value or set(map(type, value)) != {str}:
        return None
    if not names.all_plain(value):  # so names.to_ascii gives each back as it is
        return None
    distinct = set(value)
    if len(distinct) != len(value) or primary in distinct:
        return None
    return place.plain_list(value, value.lines)


def _secondary_item(r: Reader, item: Any, key: str, line: int) -> tuple[Any, LDict | None]:
    if isinstance(item, LDict):
        if len(item) != 1:
            raise r.fail("expected '- domain' or '- domain: {overrides}'", key, line)
        ((raw, overrides),) = item.items()
        if overrides is None:
            return raw, None
        return raw, r.mapping(overrides, key, line, DOMAIN_OVERRIDES)
    return item, None


def _overridden(r: Reader, name: str, o: LDict, key: str, line: int, place: Placement) -> MailDomain:
    def at(k: str) -> tuple[str, int]:
        return f"{key}.{k}", o.lines.get(k, line)

    zones = place.zones
    if "zone" in o:
        zone = r.name(o["zone"], *at("zone"))
        if zone not in zones:
            raise r.fail(f"zone {zone!r} is not listed under zones:", *at("zone"))
        if not names.is_subdomain(name, zone):
            raise r.fail(f"zone {zone!r} does not contain {name!r}", *at("zone"))
        closest = names.longest_zone(name, zones)
        if closest != zone:  # DNS answers for the name from the closest zone, never this one
            raise r.fail(
                f"{name!r} lies in the listed zone {closest!r}, below {zone!r}: "
                "its records can only go there",
                *at("zone"),
            )
    else:
        zone = names.longest_zone(name, zones) or name
    provider = _provider_name(r, o["provider"], *at("provider")) if "provider" in o else None
    if provider is not None and zone in zones and zones[zone] != provider:
        raise r.fail(
            f"{name!r} lies in zone {zone!r}, which is on provider {zones[zone]!r}, not {provider!r}",
            *at("provider"),
        )
    return MailDomain(
        name=name,
        primary=False,
        zone=zone,
        provider=zones.get(zone) or provider or place.default_provider,
        managed=r.boolean(o["managed"], *at("managed")) if "managed" in o else True,
        mta_sts=r.boolean(o["mta_sts"], *at("mta_sts")) if "mta_sts" in o else place.mta_sts,
        kolab_verify=r.boolean(o["kolab_verify"], *at("kolab_verify"))
        if "kolab_verify" in o
        else place.kolab_verify,
        line=line,
    )
