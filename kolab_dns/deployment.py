"""The deployment: the `kolab:` section of the declaration, read into model.Deployment.

What the platform is (its host name, addresses, DKIM keys) and the policies every mail domain
publishes (DMARC, MTA-STS, SPF extras, CAA). Each key is read with its file, line and dotted key
for messages; the allowed values come from the record families in records/.
"""

from __future__ import annotations

import re
from typing import Any

from . import dkim, names
from .located import LDict
from .model import Deployment, DkimKey, Dmarc, MtaSts
from .reader import Reader
from .records import dmarc as dmarc_record
from .records import mta_sts as mta_sts_record
from .records import spf, tlsa

REPORT_AUTHORIZATIONS = ("per-domain", "wildcard")
TTL_RANGE = (60, 604800)
_EMAIL = re.compile(r"^[^@\s;,!]+@([^@\s;,!]+)$")
KOLAB_KEYS = (
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
    "caa",
    "tlsa",
)
_DMARC_KEYS = ("p", "sp", "adkim", "aspf", "pct", "fo")
_MTA_STS_KEYS = ("mode", "max_age", "mx", "secondaries")


def read_deployment(r: Reader, kolab: LDict, primary: str, base_dir: str, warnings: list[str]) -> Deployment:
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
        caa=tuple(
            r.name(item, "kolab.caa", line)
            for item, line in r.items(kolab.get("caa"), "kolab.caa", ln("caa"))
        ),
        tlsa=_tlsa(r, kolab.get("tlsa"), ln("tlsa")),
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
        ip = r.parsed(item, lambda v: names.ip_text(v, version), f"kolab.{key}", line)
        if ip in out:
            raise r.fail(f"{ip} is listed twice", f"kolab.{key}", line)
        out.append(ip)
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


def _tlsa(r: Reader, value: Any, line: int | None) -> tuple[str, ...]:
    out: list[str] = []
    for item, iline in r.items(value, "kolab.tlsa", line):
        r.typed(item, str, "kolab.tlsa", iline, "a TLSA record such as `3 1 1 <sha256>` (kolab-dns tlsa)")
        record = r.parsed(item, tlsa.checked, "kolab.tlsa", iline)
        if record in out:
            raise r.fail(f"{record!r} is listed twice", "kolab.tlsa", iline)
        out.append(record)
    return tuple(out)
