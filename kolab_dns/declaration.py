"""The Kolab declaration: YAML with line numbers in, a validated, frozen model out.

Every problem is raised as one DeclarationError naming file, line and dotted key, so the CLI can
print it on one line. Nothing here touches DNS or octoDNS.
"""

from __future__ import annotations

import difflib
import ipaddress
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from . import names, spf
from .dkimkey import WEAK_RSA_BITS, DkimKey, parse_dkim_key
from .errors import DeclarationError
from .located import Doc, LDict, LList, load_file

LOCAL_PROVIDER = "local"
DMARC_POLICIES = ("none", "quarantine", "reject")
MTA_STS_MODES = ("enforce", "testing", "none")
REPORT_AUTHORIZATIONS = ("per-domain", "wildcard")
_EMAIL = re.compile(r"^[^@\s;,!]+@([^@\s;,!]+)$")
_SELECTOR = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$")
_PROVIDER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


@dataclass(frozen=True)
class Dmarc:
    p: str = "quarantine"
    sp: str | None = None
    adkim: str | None = None
    aspf: str | None = None
    pct: int | None = None
    fo: str | None = None


@dataclass(frozen=True)
class MtaSts:
    mode: str = "enforce"
    max_age: int = 604800
    mx: tuple[str, ...] = ()  # policy mx patterns; empty means "the hostname"
    secondaries: bool = False  # deployment-wide switch: secondaries publish MTA-STS too


@dataclass(frozen=True)
class Deployment:
    hostname: str
    ipv4: tuple[str, ...]
    ipv6: tuple[str, ...]
    reports: str | None
    dkim: tuple[DkimKey, ...]
    dmarc: Dmarc
    mta_sts: MtaSts
    ttl: int
    nameservers: tuple[str, ...]
    kolab_verify: bool = True
    spf: tuple[str, ...] = ()  # extra senders' SPF terms, in the primary's record
    report_authorization: str = "per-domain"  # or "wildcard": one *._report._dmarc record


@dataclass(frozen=True)
class MailDomain:
    name: str  # IDNA form
    primary: bool
    zone: str  # the zone its records go into
    provider: str
    managed: bool = True
    mta_sts: bool = False
    kolab_verify: bool = False
    line: int = field(default=0, compare=False)  # where it is declared is not what it is


@dataclass(frozen=True)
class Declaration:
    path: str
    deployment: Deployment
    zones: dict[str, str]  # declared zone -> provider
    default_provider: str
    domains: tuple[MailDomain, ...]  # primary first
    warnings: tuple[str, ...] = field(default=(), compare=False)
    lines: dict[str, int] = field(default_factory=dict, compare=False)  # key -> line, for messages

    @property
    def primary(self) -> MailDomain:
        return self.domains[0]

    @property
    def secondaries(self) -> tuple[MailDomain, ...]:
        return self.domains[1:]

    def zone_providers(self) -> dict[str, str]:
        """Every zone kolab-dns writes to, with its provider: declared ones and own-zone domains."""
        out = dict(self.zones)
        for d in self.domains:
            if d.managed and d.zone not in out:
                out[d.zone] = d.provider
        return out

    def domain(self, name: str) -> MailDomain | None:
        wanted = names.to_ascii(name)
        return next((d for d in self.domains if d.name == wanted), None)


# --- reading helpers -------------------------------------------------------------------------


class _Reader:
    """Walks a located YAML tree and raises DeclarationErrors with file, line and key."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc

    def fail(self, msg: str, key: str, line: int | None) -> DeclarationError:
        return self.doc.error(msg, key, line)

    def mapping(
        self, value: Any, key: str, line: int | None, allowed: Iterable[str], required: Iterable[str] = ()
    ) -> LDict:
        if not isinstance(value, LDict):
            raise self.fail(f"expected a mapping, got {_kind(value)}", key or "(top level)", line)
        allowed = list(allowed)
        for k in value:
            if k not in allowed:
                hint = difflib.get_close_matches(str(k), allowed, n=1)
                extra = (
                    f" (did you mean {hint[0]!r}?)" if hint else f"; expected one of: {', '.join(allowed)}"
                )
                raise self.fail(f"unknown key {k!r}{extra}", _join(key, str(k)), value.lines[k])
        for k in required:
            if k not in value or value[k] is None:
                raise self.fail("missing required key", _join(key, k), value.lines.get(k, value.line))
        return value

    def typed(self, value: Any, kind: type | tuple[type, ...], key: str, line: int | None, what: str) -> Any:
        if (isinstance(value, bool) and kind is int) or not isinstance(value, kind):
            raise self.fail(f"expected {what}, got {_kind(value)} {_short(value)}", key, line)
        return value

    def choice(self, value: Any, choices: Iterable[str], key: str, line: int | None) -> str:
        choices = list(choices)
        if value not in choices:
            hint = difflib.get_close_matches(str(value), choices, n=1)
            extra = f" (did you mean {hint[0]!r}?)" if hint else ""
            raise self.fail(f"expected one of {', '.join(choices)}, got {value!r}{extra}", key, line)
        return value

    def name(self, value: Any, key: str, line: int | None) -> str:
        self.typed(value, str, key, line, "a domain name")
        try:
            return names.to_ascii(value)
        except names.NameError_ as e:
            raise self.fail(str(e), key, line) from None

    def items(self, value: Any, key: str, line: int | None) -> list[tuple[Any, int]]:
        """A list (or a single scalar) as (item, line) pairs."""
        if value is None:
            return []
        if isinstance(value, LList):
            return list(zip(value, value.lines, strict=False))
        if isinstance(value, (str, int)):
            return [(value, line or 0)]
        raise self.fail(f"expected a list, got {_kind(value)}", key, line)


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    return {
        LDict: "a mapping",
        LList: "a list",
        bool: "a boolean",
        int: "a number",
        float: "a number",
        str: "a string",
    }.get(type(value), type(value).__name__)


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _join(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key


# --- the declaration -------------------------------------------------------------------------

_TOP_KEYS = ("kolab", "zones", "default_provider", "primary", "secondary")
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
    r = _Reader(doc)
    data = doc.data
    if data is None:  # an empty file (or only comments)
        data = LDict()
        data.line, data.lines = 1, {}
    top = r.mapping(data, "", getattr(data, "line", 1), _TOP_KEYS, required=("kolab", "primary"))
    primary_name = r.name(top["primary"], "primary", top.lines["primary"])
    kolab = r.mapping(top["kolab"], "kolab", top.lines["kolab"], _KOLAB_KEYS)
    warnings: list[str] = []
    deployment = _deployment(r, kolab, primary_name, base_dir, warnings)

    default_provider = top.get("default_provider", LOCAL_PROVIDER)
    _provider_name(r, default_provider, "default_provider", top.lines.get("default_provider"))
    zones = _zones(r, top.get("zones"), top.lines.get("zones"))

    verify_default = deployment.kolab_verify
    domains = [
        _domain(
            r,
            primary_name,
            None,
            True,
            "primary",
            top.lines["primary"],
            zones,
            default_provider,
            deployment.mta_sts.secondaries,
            verify_default,
        )
    ]
    seen = {primary_name: ("primary", top.lines["primary"])}
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
        domains.append(
            _domain(
                r,
                name,
                overrides,
                False,
                key,
                line,
                zones,
                default_provider,
                deployment.mta_sts.secondaries,
                verify_default,
            )
        )
    _check_mta_sts(r, deployment, kolab)
    _check_spf_budget(r, deployment, primary_name, len(domains) > 1, kolab)
    zone_lines = top["zones"].lines.values() if zones else ()
    lines = {f"zones.{z}": zl for z, zl in zip(zones, zone_lines, strict=True)}
    lines["default_provider"] = top.lines.get("default_provider", 1)
    decl = Declaration(doc.file, deployment, zones, default_provider, tuple(domains), tuple(warnings), lines)
    _check_owner_lengths(r, decl)
    return decl


# The longest owner-name prefix the expansion can put before a mail domain: a DKIM selector of 63
# bytes plus "._domainkey.". Shorter domains need no check, so big declarations stay cheap.
_LONGEST_PREFIX = 63 + len("._domainkey.")
_NAME_VALUED = ("CNAME", "PTR", "MX", "SRV")  # record types whose values are names too


def _check_owner_lengths(r: _Reader, decl: Declaration) -> None:
    """A domain of 253 bytes is valid, its `_dmarc.` record is not: name the domain, not octoDNS."""
    from .records import domain_records  # records imports this module

    for index, domain in enumerate(decl.domains):
        if len(domain.name) + 1 + _LONGEST_PREFIX <= 253:
            continue
        for rs in domain_records(decl, domain):
            targets = [getattr(v, "exchange", None) or getattr(v, "target", v) for v in rs.values]
            for name in [rs.name] + [str(t).rstrip(".") for t in targets if rs.type in _NAME_VALUED]:
                if len(name) > 253 and name.endswith(domain.name):
                    key = "primary" if domain.primary else f"secondary[{index - 1}]"
                    raise r.fail(
                        f"{domain.name!r} is too long for its records: {name[: -len(domain.name)]}... "
                        f"would be {len(name)} bytes, over 253",
                        key,
                        domain.line,
                    )


def _provider_name(r: _Reader, value: Any, key: str, line: int | None) -> str:
    r.typed(value, str, key, line, "a provider name (a file in providers/)")
    if not _PROVIDER.match(value):
        raise r.fail(f"{value!r} is not a valid provider name", key, line)
    return value


def _zones(r: _Reader, value: Any, line: int | None) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, LDict):
        raise r.fail(f"expected a mapping of zone: provider, got {_kind(value)}", "zones", line)
    zones: dict[str, str] = {}
    for raw, provider in value.items():
        key, zline = f"zones.{raw}", value.lines[raw]
        zone = r.name(raw, key, zline)
        if zone in zones:
            raise r.fail(f"zone {zone!r} is listed twice", key, zline)
        zones[zone] = _provider_name(r, provider, key, zline)
    return zones


def _secondary_item(r: _Reader, item: Any, key: str, line: int) -> tuple[Any, LDict | None]:
    if isinstance(item, LDict):
        if len(item) != 1:
            raise r.fail("expected '- domain' or '- domain: {overrides}'", key, line)
        ((raw, overrides),) = item.items()
        if overrides is None:
            return raw, None
        return raw, r.mapping(overrides, key, line, DOMAIN_OVERRIDES)
    return item, None


def _domain(
    r: _Reader,
    name: str,
    overrides: LDict | None,
    primary: bool,
    key: str,
    line: int,
    zones: dict[str, str],
    default_provider: str,
    mta_sts_default: bool,
    verify_default: bool,
) -> MailDomain:
    if overrides is None and not primary:  # a plain `- domain` line: most of a fleet, cheaply
        zone = names.longest_zone(name, zones) or name
        provider = zones.get(zone) or default_provider
        return MailDomain(name, False, zone, provider, True, mta_sts_default, verify_default, line)
    o = overrides or LDict()
    if not hasattr(o, "lines"):
        o.line, o.lines = line, {}

    def get(k: str, check: Callable[[Any, str, int], Any], default: Any) -> Any:
        if k not in o:
            return default
        return check(o[k], f"{key}.{k}", o.lines.get(k, line))

    def boolean(v: Any, k: str, ln: int) -> bool:
        return r.typed(v, bool, k, ln, "true or false")

    explicit_zone = get("zone", lambda v, k, ln: r.name(v, k, ln), None)
    if explicit_zone is not None:
        if explicit_zone not in zones:
            raise r.fail(f"zone {explicit_zone!r} is not listed under zones:", f"{key}.zone", o.lines["zone"])
        if not names.is_subdomain(name, explicit_zone):
            raise r.fail(f"zone {explicit_zone!r} does not contain {name!r}", f"{key}.zone", o.lines["zone"])
        closest = names.longest_zone(name, zones)
        if closest != explicit_zone:  # DNS answers for the name from the closest zone, never this one
            raise r.fail(
                f"{name!r} lies in the listed zone {closest!r}, below {explicit_zone!r}: "
                "its records can only go there",
                f"{key}.zone",
                o.lines["zone"],
            )
        zone = explicit_zone
    else:
        zone = names.longest_zone(name, zones) or name
    provider = get("provider", lambda v, k, ln: _provider_name(r, v, k, ln), None)
    if provider is not None and zone in zones and zones[zone] != provider:
        raise r.fail(
            f"{name!r} lies in zone {zone!r}, which is on provider {zones[zone]!r}, not {provider!r}",
            f"{key}.provider",
            o.lines["provider"],
        )
    provider = zones.get(zone) or provider or default_provider
    return MailDomain(
        name=name,
        primary=primary,
        zone=zone,
        provider=provider,
        managed=get("managed", boolean, True),
        mta_sts=True if primary else get("mta_sts", boolean, mta_sts_default),
        kolab_verify=False if primary else get("kolab_verify", boolean, verify_default),
        line=line,
    )


def _ips(r: _Reader, kolab: LDict, key: str, version: int) -> tuple[str, ...]:
    out = []
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


def _deployment(r: _Reader, kolab: LDict, primary: str, base_dir: str, warnings: list[str]) -> Deployment:
    ln = kolab.lines.get
    hostname = (
        r.name(kolab["hostname"], "kolab.hostname", ln("hostname")) if kolab.get("hostname") else primary
    )

    reports = kolab.get("reports")
    if reports is not None:
        r.typed(reports, str, "kolab.reports", ln("reports"), "an e-mail address")
        m = _EMAIL.match(reports)
        if not m:
            raise r.fail(f"{reports!r} is not an e-mail address", "kolab.reports", ln("reports"))
        try:
            reports = f"{reports.split('@')[0]}@{names.to_ascii(m.group(1))}"
        except names.NameError_ as e:
            raise r.fail(str(e), "kolab.reports", ln("reports")) from None

    ttl = kolab.get("ttl", 3600)
    r.typed(ttl, int, "kolab.ttl", ln("ttl"), "a TTL in seconds")
    if not 60 <= ttl <= 604800:
        raise r.fail(f"TTL {ttl} is outside 60..604800 seconds", "kolab.ttl", ln("ttl"))

    dkim: list[DkimKey] = []
    if kolab.get("dkim") is not None:
        keys = r.mapping(
            kolab["dkim"],
            "kolab.dkim",
            ln("dkim"),
            allowed=list(kolab["dkim"]) if isinstance(kolab["dkim"], LDict) else (),
        )
        for selector, value in keys.items():
            key, line = f"kolab.dkim.{selector}", keys.lines[selector]
            if not isinstance(selector, str) or not _SELECTOR.match(selector):
                raise r.fail(
                    f"{selector!r} is not a valid DKIM selector (letters, digits, hyphens)", key, line
                )
            r.typed(value, str, key, line, "a base64 public key or a path to a PEM/.pub file")
            text = value
            if _is_key_path(value, base_dir):
                text = _read_public_key_file(r, value, base_dir, key, line)
            try:
                parsed = parse_dkim_key(selector, text)
            except ValueError as e:
                raise r.fail(f"DKIM key {e}", key, line) from None
            if parsed.algorithm == "rsa" and parsed.bits < WEAK_RSA_BITS:
                warnings.append(f"{r.doc.file}:{line}: {key}: {parsed.bits}-bit RSA key; use 2048 bits")
            dkim.append(parsed)

    dmarc = Dmarc()
    if kolab.get("dmarc") is not None:
        d = r.mapping(kolab["dmarc"], "kolab.dmarc", ln("dmarc"), _DMARC_KEYS)
        dl = d.lines.get
        values: dict[str, Any] = {}
        for k in ("p", "sp"):
            if k in d:
                values[k] = r.choice(d[k], DMARC_POLICIES, f"kolab.dmarc.{k}", dl(k))
        for k in ("adkim", "aspf"):
            if k in d:
                values[k] = r.choice(d[k], ("r", "s"), f"kolab.dmarc.{k}", dl(k))
        if "pct" in d:
            pct = r.typed(d["pct"], int, "kolab.dmarc.pct", dl("pct"), "a percentage")
            if not 0 <= pct <= 100:
                raise r.fail(f"pct {pct} is outside 0..100", "kolab.dmarc.pct", dl("pct"))
            values["pct"] = pct
        if "fo" in d:
            fo = str(d["fo"])
            if not re.fullmatch(r"[01ds](:[01ds])*", fo):
                raise r.fail(f"fo {fo!r} must be 0, 1, d or s, joined by ':'", "kolab.dmarc.fo", dl("fo"))
            values["fo"] = fo
        dmarc = Dmarc(**values)

    mta_sts = MtaSts()
    if kolab.get("mta_sts") is not None:
        m = r.mapping(kolab["mta_sts"], "kolab.mta_sts", ln("mta_sts"), _MTA_STS_KEYS)
        ml = m.lines.get
        mode = r.choice(m.get("mode", "enforce"), MTA_STS_MODES, "kolab.mta_sts.mode", ml("mode"))
        max_age = r.typed(m.get("max_age", 604800), int, "kolab.mta_sts.max_age", ml("max_age"), "seconds")
        if not 0 <= max_age <= 31557600:
            raise r.fail(
                f"max_age {max_age} is outside 0..31557600 (RFC 8461)", "kolab.mta_sts.max_age", ml("max_age")
            )
        patterns = []
        for item, line in r.items(m.get("mx"), "kolab.mta_sts.mx", ml("mx")):
            wildcard = isinstance(item, str) and item.startswith("*.")
            host = r.name(item[2:] if wildcard else item, "kolab.mta_sts.mx", line)
            patterns.append(f"*.{host}" if wildcard else host)
        secondaries = r.typed(
            m.get("secondaries", False), bool, "kolab.mta_sts.secondaries", ml("secondaries"), "true or false"
        )
        mta_sts = MtaSts(mode, max_age, tuple(patterns), secondaries)

    nameservers = tuple(
        r.name(item, "kolab.nameservers", line)
        for item, line in r.items(kolab.get("nameservers"), "kolab.nameservers", ln("nameservers"))
    )
    extra_spf = []
    for item, line in r.items(kolab.get("spf"), "kolab.spf", ln("spf")):
        r.typed(item, str, "kolab.spf", line, "an SPF mechanism such as include:_spf.example.net")
        try:
            extra_spf.append(spf.check_mechanism(item))
        except ValueError as e:
            raise r.fail(str(e), "kolab.spf", line) from None
    verify = r.typed(
        kolab.get("kolab_verify", True), bool, "kolab.kolab_verify", ln("kolab_verify"), "true or false"
    )
    return Deployment(
        hostname=hostname,
        ipv4=_ips(r, kolab, "ipv4", 4),
        ipv6=_ips(r, kolab, "ipv6", 6),
        reports=reports,
        dkim=tuple(dkim),
        dmarc=dmarc,
        mta_sts=mta_sts,
        ttl=ttl,
        nameservers=nameservers,
        kolab_verify=verify,
        spf=tuple(extra_spf),
        report_authorization=r.choice(
            kolab.get("report_authorization", "per-domain"),
            REPORT_AUTHORIZATIONS,
            "kolab.report_authorization",
            ln("report_authorization"),
        ),
    )


_BASE64 = re.compile(r"^(?:[A-Za-z0-9+/]{4})+(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$")


def _is_key_path(value: str, base_dir: str) -> bool:
    """A key file rather than the key itself. Base64 may begin with '/', so an absolute path is
    one that exists or that is no base64 at all (1 in 64 ed25519 keys starts with '/')."""
    if value.startswith(("./", "../", "~")) or value.endswith((".pem", ".pub", ".txt", ".key")):
        return True
    if value.startswith("/"):
        return os.path.exists(os.path.join(base_dir, value)) or not _BASE64.match(value)
    return False


_MAX_KEY_FILE = 16384  # a PEM of an 8192-bit RSA public key is under 1.5 kB


def _read_public_key_file(r: _Reader, value: str, base_dir: str, key: str, line: int) -> str:
    """A public key file's text. Files that hold or may hold a private key are refused unread into
    any message: their content would otherwise end up in DNS and in plan output."""
    if value.endswith(".key"):
        raise r.fail(
            f"{value!r} is a private key file (`kolab-dns dkim new` writes SELECTOR.key); "
            "give the public key it printed instead",
            key,
            line,
        )
    path = os.path.join(base_dir, os.path.expanduser(value))
    if os.path.exists(path) and not os.path.isfile(path):  # /dev/zero or a FIFO would never end
        raise r.fail(f"key file {value!r} is not a regular file", key, line)
    try:
        with open(path, encoding="ascii") as fh:
            text = fh.read(_MAX_KEY_FILE + 1)
    except (OSError, UnicodeDecodeError) as e:
        raise r.fail(f"cannot read key file {value!r}: {e.__class__.__name__}", key, line) from None
    if len(text) > _MAX_KEY_FILE:
        raise r.fail(f"key file {value!r} is larger than {_MAX_KEY_FILE} bytes: not a public key", key, line)
    compact = "".join(text.split())
    if "-----BEGIN" not in text and "p=" not in text and len(compact) == 44 and compact.endswith("="):
        raise r.fail(
            f"{value!r} holds a bare 32-byte key, the form of a private ed25519 key; give an ed25519 "
            "public key inline, or as a PEM or DKIM TXT file",
            key,
            line,
        )
    return text


def mx_matches(pattern: str, host: str) -> bool:
    """RFC 8461 §4.1: a '*.' pattern matches exactly one extra left-most label."""
    if pattern.startswith("*."):
        return "." in host and host.split(".", 1)[1] == pattern[2:]
    return pattern == host


def _check_mta_sts(r: _Reader, dep: Deployment, kolab: LDict) -> None:
    policy = dep.mta_sts
    if policy.mode != "enforce" or not policy.mx:
        return
    if not any(mx_matches(p, dep.hostname) for p in policy.mx):
        m = kolab["mta_sts"]
        raise r.fail(
            f"mode enforce, but MX host {dep.hostname!r} matches no policy mx pattern "
            f"({', '.join(policy.mx)}): senders would refuse to deliver",
            "kolab.mta_sts.mx",
            m.lines.get("mx"),
        )


def _check_spf_budget(r: _Reader, dep: Deployment, primary: str, secondaries: bool, kolab: LDict) -> None:
    """Over 10 lookups every receiver answers permerror, so refuse before anything is planned."""
    primary_cost, secondary_cost = spf.deployment_costs(dep.hostname, dep.spf, primary)
    cost = secondary_cost if secondaries else primary_cost
    if cost.lookups > spf.LOOKUP_LIMIT:
        who = "secondary domains (which include the primary's)" if secondaries else "the primary"
        raise r.fail(
            f"the SPF record of {who} needs {cost.lookups} DNS lookups, over the limit of "
            f"{spf.LOOKUP_LIMIT} (RFC 7208 4.6.4): receivers would fail every message; "
            "use ip4:/ip6: terms or fewer include:s",
            "kolab.spf",
            kolab.lines.get("spf", kolab.line),
        )
