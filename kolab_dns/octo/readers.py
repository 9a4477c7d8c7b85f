"""Reading a target's zone as the record data its own populate would hand octoDNS, cheaply.

Each reader mirrors one provider's populate up to, not including, `Record.new`: same file or
request, same names, same data, each record set then held as octoDNS would hold it
(`unchanged.held`). A zone it cannot read exactly as the provider would (a missing zone,
duplicates, a file octoDNS would read another way) reads as None, and octoDNS reads it itself.
Only providers configured the plain way get a reader; others are planned by octoDNS alone.
"""

from __future__ import annotations

import os
import threading
from typing import Any, Protocol

import yaml
from octodns.idna import idna_decode, idna_encode
from octodns.zone import Zone
from octodns_powerdns import PowerDnsProvider, _encode_zone_name
from requests import HTTPError, Response

from .local import LocalYamlProvider, _batches
from .plain_get import PlainGet
from .unchanged import Held, Key, Memo, held, values

_CLoader: Any = getattr(yaml, "CSafeLoader", None)
# Types whose octodns-powerdns _data_for_* reads nothing but the records' content (and the set's
# type and TTL): what such a set processes to is remembered by its type and contents.
BY_CONTENT = frozenset(
    {
        "A",
        "AAAA",
        "ALIAS",
        "CAA",
        "CNAME",
        "DS",
        "LOC",
        "MX",
        "NAPTR",
        "NS",
        "PTR",
        "SRV",
        "SSHFP",
        "TLSA",
        "TXT",
    }
)


class Unreadable(Exception):
    """The target failed in a way octoDNS must report itself (refused key, unreachable)."""


class Reader(Protocol):
    concurrent: bool  # reads may overlap (network round trips), or run one at a time

    def read(self, zone: str) -> dict[Key, Held | None] | None: ...

    def settled(self, zone: str) -> None:
        """The zone is proven unchanged: what was read for octoDNS can go."""


def _key(name: Any, rtype: Any) -> Key | None:
    """The key Record.new gives a record: its name IDNA-encoded and lower-cased."""
    if not isinstance(rtype, str):
        return None
    name = str(name)
    if name.isascii():
        return name.lower(), rtype
    try:
        return idna_encode(name), rtype
    except Exception:
        return None


class _Names:
    """A zone's owner names as PowerDnsProvider.populate keys them: `_key` of the zone's
    hostname_from_fqdn. For a lower-case ASCII zone name and an ASCII owner name ending in it, that
    regex substitution (the zone's name, dots matching any character, anchored at the end) removes
    exactly the zone's suffix from the lower-cased name: done here without building the Zone and
    compiling its patterns for each zone read. Other names go through the Zone."""

    def __init__(self, zone: str) -> None:
        self.zone = zone
        self.apex = idna_encode(f"{zone}.")
        self.plain = self.apex.isascii() and self.apex == self.apex.lower()
        self.suffix = f".{self.apex}"
        self._zone: Zone | None = None

    def key(self, fqdn: Any, rtype: Any) -> Key | None:
        if self.plain and isinstance(fqdn, str) and fqdn.isascii() and isinstance(rtype, str):
            lowered = fqdn.lower()
            if lowered == self.apex:
                return "", rtype
            if lowered.endswith(self.suffix):
                return lowered[: -len(self.suffix)], rtype
        if self._zone is None:
            self._zone = Zone(f"{self.zone}.", set())
        return _key(self._zone.hostname_from_fqdn(fqdn), rtype)


class LocalReader:
    """LocalYamlProvider's zone file, read as its populate reads it (libyaml, default TTL)."""

    concurrent = False

    def __init__(self, provider: LocalYamlProvider) -> None:
        self.provider = provider

    @staticmethod
    def fits(provider: Any) -> bool:
        """A zone file per zone, escaped semicolons, no order checks: what populate reads fast."""
        return (
            type(provider) is LocalYamlProvider
            and _CLoader is not None
            and not provider.enforce_order
            and provider.escaped_semicolons
            and not provider.split_extension
            and not provider.shared_filename
            and not provider.disable_zonefile
        )

    def read(self, zone: str) -> dict[Key, Held | None] | None:
        filename = self._filename(zone)
        if filename is None:
            return None
        out: dict[Key, Held | None] = {}
        default_ttl = self.provider.default_ttl
        try:
            with open(filename, encoding="utf-8") as fh:
                for _, text in _batches(fh):
                    data = yaml.load(text, Loader=_CLoader)
                    if data is None:
                        continue
                    if not isinstance(data, dict):
                        return None
                    for name, value in data.items():
                        for item in value if isinstance(value, list) else [value]:
                            if not isinstance(item, dict):
                                return None
                            key = _key(name, item.get("type"))
                            if key is None or key in out:
                                return None
                            item.setdefault("ttl", default_ttl)
                            out[key] = held(item)
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            return None
        return out

    def _filename(self, zone: str) -> str | None:
        """YamlProvider._zone_sources without building a Zone: the UTF-8 name's file, else the IDNA
        name's; None when there is none, or both (octoDNS refuses that itself)."""
        directory = self.provider.directory
        utf8 = os.path.join(directory, f"{idna_decode(zone)}.yaml")
        idna = os.path.join(directory, f"{zone}.yaml")
        if os.path.isfile(utf8):
            return None if utf8 != idna and os.path.isfile(idna) else utf8
        return idna if os.path.isfile(idna) else None

    def settled(self, zone: str) -> None:
        pass


class PowerDnsReader:
    """octodns-powerdns's one GET per zone, through the provider's own session (its connection
    pool). The response is kept for the provider's populate, so a zone octoDNS plans after all is
    not fetched twice."""

    concurrent = True

    def __init__(self, provider: Any) -> None:
        self.provider = provider
        self._get = provider._get
        self._kept: dict[str, Response] = {}
        self._lock = threading.Lock()
        base = f"{provider.scheme}://{provider.host}:{provider.port:d}/api/v1/servers/{provider.server_id}/"
        self._plain = PlainGet.for_url(provider._sess, base, provider.timeout)
        self._memo = Memo()  # (type, *contents) -> values
        provider._get = self._reuse

    @staticmethod
    def fits(provider: Any) -> bool:
        return type(provider) is PowerDnsProvider

    @staticmethod
    def _path(zone: str) -> str:
        return f"zones/{_encode_zone_name(f'{zone}.')}"

    def _reuse(self, path: str, data: Any = None) -> Response:
        with self._lock:
            kept = self._kept.pop(path, None) if data is None else None
        return kept if kept is not None else self._get(path, data=data)

    def read(self, zone: str) -> dict[Key, Held | None] | None:
        path = self._path(zone)
        try:
            response = self._plain.get(path) if self._plain is not None else None
            if response is None:
                response = self._get(path)
        except HTTPError as e:
            if e.response is not None and e.response.status_code in (404, 422):
                return None  # no such zone (or one octoDNS words otherwise): octoDNS plans it
            raise Unreadable(str(e)) from e
        except Exception as e:
            raise Unreadable(str(e)) from e
        with self._lock:
            self._kept[path] = response
        try:
            rrsets = response.json()["rrsets"]
        except (ValueError, KeyError, TypeError):
            return None
        provider = self.provider
        supports = provider.SUPPORTS
        names = _Names(zone)
        memo = self._memo
        out: dict[Key, Held | None] = {}
        for rrset in rrsets:
            rtype = rrset["type"]
            if rtype not in supports and f"PowerDnsProvider/{rtype}" not in supports:
                continue
            key = names.key(rrset["name"], rtype)
            if key is None or key in out:
                return None
            ttl = rrset["ttl"]
            if rtype not in BY_CONTENT or type(ttl) is not int:
                out[key] = held(getattr(provider, f"_data_for_{rtype}")(rrset))
                continue
            contents = (rtype, *[record["content"] for record in rrset["records"]])
            try:
                processed = memo.get(contents, memo)
            except TypeError:  # contents that are not strings: octoDNS's processing judges them
                out[key] = held(getattr(provider, f"_data_for_{rtype}")(rrset))
                continue
            if processed is memo:
                processed = memo.remember(contents, values(getattr(provider, f"_data_for_{rtype}")(rrset)))
            out[key] = None if processed is None else (ttl, processed)
        return out

    def settled(self, zone: str) -> None:
        with self._lock:
            self._kept.pop(self._path(zone), None)


def reader_for(provider: Any) -> Reader | None:
    """The fast reader for a provider instance, if it has one."""
    if LocalReader.fits(provider):
        return LocalReader(provider)
    if PowerDnsReader.fits(provider):
        return PowerDnsReader(provider)
    return None
