"""The Kolab declaration: YAML with line numbers in, the validated, frozen model out.

Every problem is raised as one DeclarationError naming file, line and dotted key, so the CLI can
print it on one line. Each section is read by its own function; checks that span sections run in
validate.py once the model is whole. Nothing here touches DNS or octoDNS.
"""

from __future__ import annotations

import ipaddress
import os
import re
from dataclasses import dataclass
from typing import Any

from . import dkim, names, validate
from .located import Doc, LDict, load_file
from .model import Declaration, Deployment, DkimKey, Dmarc, MailDomain, MtaSts
from .network.parse import read_network
from .reader import Reader, kind
from .records import dmarc as dmarc_record
from .records import mta_sts as mta_sts_record
from .records import spf

LOCAL_PROVIDER = "local"
REPORT_AUTHORIZATIONS = ("per-domain", "wildcard")
TTL_RANGE = (60, 604800)
_EMAIL = re.compile(r"^[^@\s;,!]+@([^@\s;,!]+)$")
_PROVIDER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")

_TOP_KEYS = ("kolab", "zones", "default_provider", "primary", "secondary", "network")
_KOLAB_KEYS = (
    "hostname",
    "ipv4",
    "ipv6",
    "reports",
    "dkim",
    "dmarc",
    "mta_sts",
    "ttl",
    "nameservers",
    "kolab_verify",
    "spf",
    "report_authorization",
)
_DMARC_KEYS = ("p", "sp", "adkim", "aspf", "pct", "fo")
_MTA_STS_KEYS = ("mode", "max_age", "mx", "secondaries")
DOMAIN_OVERRIDES = ("provider", "zone", "managed", "mta_sts", "kolab_verify")


def load(path: str, display: str | None = None) -> Declaration:
    """Load and validate a declaration file."""
    doc = load_file(path, display)
    return parse(doc, base_dir=os.path.dirname(os.path.abspath(path)))


def parse(doc: Doc, base_dir: str = ".") -> Declaration:
    r = Reader(doc)
    data = doc.data
    if data is None:  # an empty file (or only comments)
        data = LDict()
        data.line, data.lines = 1, {}
    top = r.mapping(data, "", getattr(data, "line", 1), _TOP_KEYS, required=("kolab", "primary"))
    primary_name = r.name(top["primary"], "primary", top.lines["primary"])
    kolab = r.mapping(top["kolab"], "kolab", top.lines["kolab"], _KOLAB_KEYS)
    warnings: list[str] = []
    deployment = _deployment(r, kolab, primary_name, base_dir, warnings)
    network = read_network(r, top, deployment.ipv4, warnings)  # None without a network: section

    default_provider = top.get("default_provider", LOCAL_PROVIDER)
    _provider_name(r, default_provider, "default_provider", top.lines.get("default_provider"))
    zones = _zones(r, top.get("zones"), top.lines.get("zones"))
    place = _Placement(zones, default_provider, deployment.mta_sts.secondaries, deployment.kolab_verify)
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
class _Placement:
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


def _primary(name: str, line: int, place: _Placement) -> MailDomain:
    zone = names.longest_zone(name, place.zones) or name
    provider = place.zones.get(zone) or place.default_provider
    return MailDomain(name, True, zone, provider, True, True, False, line)


def _secondaries(r: Reader, top: LDict, primary: str, place: _Placement) -> list[MailDomain]:
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


def _secondary_item(r: Reader, item: Any, key: str, line: int) -> tuple[Any, LDict | None]:
    if isinstance(item, LDict):
        if len(item) != 1:
            raise r.fail("expected '- domain' or '- domain: {overrides}'", key, line)
        ((raw, overrides),) = item.items()
        if overrides is None:
            return raw, None
        return raw, r.mapping(overrides, key, line, DOMAIN_OVERRIDES)
    return item, None


def _overridden(r: Reader, name: str, o: LDict, key: str, line: int, place: _Placement) -> MailDomain:
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


# --- the deployment (kolab:) -------------------------------------------------------------------------


def _deployment(r: Reader, kolab: LDict, primary: str, base_dir: str, warnings: list[str]) -> Deployment:
    ln = kolab.lines.get
    hostname = (
        r.name(kolab["hostname"], "kolab.hostname", ln("hostname")) if kolab.get("hostname") else primary
    )
    ttl = r.typed(kolab.get("ttl", 3600), int, "kolab.ttl", ln("ttl"), "a TTL in seconds")
    if not TTL_RANGE[0] <= ttl <= TTL_RANGE[1]:
        raise r.fail(f"TTL {ttl} is outside {TTL_RANGE[0]}..{TTL_RANGE[1]} seconds", "kolab.ttl", ln("ttl"))
    return Deployment(
        hostname=hostname,
        ipv4=_ips(r, kolab, "ipv4", 4),
        ipv6=_ips(r, kolab, "ipv6", 6),
        reports=_reports(r, kolab.get("reports"), ln("reports")),
        dkim=_dkim(r, kolab.get("dkim"), ln("dkim"), base_dir, warnings),
        dmarc=_dmarc(r, kolab.get("dmarc"), ln("dmarc")),
        mta_sts=_mta_sts(r, kolab.get("mta_sts"), ln("mta_sts")),
        ttl=ttl,
        nameservers=tuple(
            r.name(item, "kolab.nameservers", line)
            for item, line in r.items(kolab.get("nameservers"), "kolab.nameservers", ln("nameservers"))
        ),
        kolab_verify=r.boolean(kolab.get("kolab_verify", True), "kolab.kolab_verify", ln("kolab_verify")),
        spf=tuple(
            r.parsed(
                r.typed(item, str, "kolab.spf", line, "an SPF mechanism such as include:_spf.example.net"),
                spf.check_mechanism,
                "kolab.spf",
                line,
            )
            for item, line in r.items(kolab.get("spf"), "kolab.spf", ln("spf"))
        ),
        report_authorization=r.choice(
            kolab.get("report_authorization", "per-domain"),
            REPORT_AUTHORIZATIONS,
            "kolab.report_authorization",
            ln("report_authorization"),
        ),
    )


def _ips(r: Reader, kolab: LDict, key: str, version: int) -> tuple[str, ...]:
    out: list[str] = []
    for item, line in r.items(kolab.get(key), f"kolab.{key}", kolab.lines.get(key)):
        try:
            ip = ipaddress.ip_address(str(item))
        except ValueError:
            raise r.fail(f"{item!r} is not an IPv{version} address", f"kolab.{key}", line) from None
        if ip.version != version:
            raise r.fail(f"{item!r} is not an IPv{version} address", f"kolab.{key}", line)
        if str(ip) in out:
            raise r.fail(f"{ip} is listed twice", f"kolab.{key}", line)
        out.append(str(ip))
    return tuple(out)


def _reports(r: Reader, value: Any, line: int | None) -> str | None:
    if value is None:
        return None
    r.typed(value, str, "kolab.reports", line, "an e-mail address")
    m = _EMAIL.match(value)
    if not m:
        raise r.fail(f"{value!r} is not an e-mail address", "kolab.reports", line)
    return f"{value.split('@')[0]}@{r.name(m.group(1), 'kolab.reports', line)}"


def _dkim(r: Reader, value: Any, line: int | None, base_dir: str, warnings: list[str]) -> tuple[DkimKey, ...]:
    if value is None:
        return ()
    allowed = list(value) if isinstance(value, LDict) else ()
    keys = r.mapping(value, "kolab.dkim", line, allowed=allowed)
    out = []
    for selector, text in keys.items():
        key, kline = f"kolab.dkim.{selector}", keys.lines[selector]
        if not isinstance(selector, str) or not dkim.SELECTOR.match(selector):
            raise r.fail(f"{selector!r} is not a valid DKIM selector (letters, digits, hyphens)", key, kline)
        r.typed(text, str, key, kline, "a base64 public key or a path to a PEM/.pub file")
        if dkim.is_key_path(text, base_dir):
            text = r.parsed(text, lambda v: dkim.read_public_key_file(v, base_dir), key, kline)
        parsed = r.parsed(text, lambda t, s=selector: _public_key(s, t), key, kline)
        if parsed.algorithm == "rsa" and parsed.bits < dkim.WEAK_RSA_BITS:
            warnings.append(f"{r.doc.file}:{kline}: {key}: {parsed.bits}-bit RSA key; use 2048 bits")
        out.append(parsed)
    return tuple(out)


def _public_key(selector: str, text: str) -> DkimKey:
    try:
        return dkim.parse_public_key(selector, text)
    except ValueError as e:
        raise ValueError(f"DKIM key {e}") from None


def _dmarc(r: Reader, value: Any, line: int | None) -> Dmarc:
    if value is None:
        return Dmarc()
    d = r.mapping(value, "kolab.dmarc", line, _DMARC_KEYS)
    dl = d.lines.get
    values: dict[str, Any] = {}
    for k in ("p", "sp"):
        if k in d:
            values[k] = r.choice(d[k], dmarc_record.POLICIES, f"kolab.dmarc.{k}", dl(k))
    for k in ("adkim", "aspf"):
        if k in d:
            values[k] = r.choice(d[k], dmarc_record.ALIGNMENTS, f"kolab.dmarc.{k}", dl(k))
    if "pct" in d:
        pct = r.typed(d["pct"], int, "kolab.dmarc.pct", dl("pct"), "a percentage")
        if not 0 <= pct <= 100:
            raise r.fail(f"pct {pct} is outside 0..100", "kolab.dmarc.pct", dl("pct"))
        values["pct"] = pct
    if "fo" in d:
        fo = str(d["fo"])
        if not re.fullmatch(dmarc_record.FAILURE_OPTIONS, fo):
            raise r.fail(f"fo {fo!r} must be 0, 1, d or s, joined by ':'", "kolab.dmarc.fo", dl("fo"))
        values["fo"] = fo
    return Dmarc(**values)


def _mta_sts(r: Reader, value: Any, line: int | None) -> MtaSts:
    if value is None:
        return MtaSts()
    m = r.mapping(value, "kolab.mta_sts", line, _MTA_STS_KEYS)
    ml = m.lines.get
    mode = r.choice(m.get("mode", "enforce"), mta_sts_record.MODES, "kolab.mta_sts.mode", ml("mode"))
    max_age = r.typed(m.get("max_age", 604800), int, "kolab.mta_sts.max_age", ml("max_age"), "seconds")
    if not 0 <= max_age <= mta_sts_record.MAX_AGE_LIMIT:
        raise r.fail(
            f"max_age {max_age} is outside 0..{mta_sts_record.MAX_AGE_LIMIT} (RFC 8461)",
            "kolab.mta_sts.max_age",
            ml("max_age"),
        )
    patterns = []
    for item, iline in r.items(m.get("mx"), "kolab.mta_sts.mx", ml("mx")):
        wildcard = isinstance(item, str) and item.startswith("*.")
        host = r.name(item[2:] if wildcard else item, "kolab.mta_sts.mx", iline)
        patterns.append(f"*.{host}" if wildcard else host)
    secondaries = r.boolean(m.get("secondaries", False), "kolab.mta_sts.secondaries", ml("secondaries"))
    return MtaSts(mode, max_age, tuple(patterns), secondaries)
