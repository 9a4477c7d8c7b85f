"""The embedded target writes its zone files with libyaml, a batch of names at a time: the files
read back, through octoDNS's own YamlProvider, to exactly the records octoDNS's writer gives."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from octodns.provider.yaml import YamlProvider
from octodns.record import Record
from octodns.zone import Zone

from kolab_dns.octo import local
from kolab_dns.octo.local import LocalYamlProvider

OPTIONS = {"default_ttl": 3600, "enforce_order": False, "escaped_semicolons": True}
ZONE = "example.com."

RECORDS: dict[str, list[dict[str, Any]]] = {
    "": [
        {"type": "MX", "values": [{"preference": 10, "exchange": "mx.example.com."}]},
        {"type": "TXT", "values": ["v=spf1 mx -all", "site-verification=a;b".replace(";", "\\;")]},
        {"type": "NS", "values": ["ns1.example.net.", "ns2.example.net."]},
        {"type": "A", "ttl": 300, "values": ["192.0.2.1", "192.0.2.2"]},
    ],
    "_dmarc": [{"type": "TXT", "value": "v=DMARC1\\; p=quarantine\\; rua=mailto:a@example.com"}],
    "dkim1._domainkey": [{"type": "TXT", "value": "v=DKIM1\\; k=rsa\\; p=" + "A" * 600}],
    "_imaps._tcp": [
        {"type": "SRV", "values": [{"priority": 0, "weight": 1, "port": 993, "target": "mx.example.com."}]}
    ],
    "mta-sts": [{"type": "CNAME", "value": "mx.example.com."}],
    "*": [{"type": "A", "value": "192.0.2.3"}],
    "yes": [{"type": "TXT", "value": "no"}],
    "n10": [{"type": "TXT", "value": "10"}],
    "n2": [{"type": "TXT", "value": "colon: 'quoted' \"double\" # not a comment"}],
    "xn--bcher-kva": [{"type": "AAAA", "value": "2001:db8::1"}],
}


def desired() -> Zone:
    zone = Zone(ZONE, [])
    for name, items in RECORDS.items():
        for data in items:
            zone.add_record(Record.new(zone, name, {"ttl": 3600, **data}))
    return zone


def write(provider: YamlProvider) -> None:
    plan = provider.plan(desired())
    assert plan is not None
    provider.apply(plan)


def read(directory: Path) -> set[tuple[str, str, int, str]]:
    zone = Zone(ZONE, [])
    YamlProvider("check", str(directory), **OPTIONS).populate(zone)
    return {(r.name, r._type, r.ttl, repr(r.data)) for r in zone.records}


@pytest.mark.parametrize("batch", [1, 3, 1000])
def test_files_read_back_to_the_records_octodns_writes(
    tmp_path: Path, batch: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(local, "BATCH_NAMES", batch)
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    write(LocalYamlProvider("local", str(ours), **OPTIONS))
    write(YamlProvider("octodns", str(theirs), **OPTIONS))
    assert read(ours) == read(theirs)
    assert len(read(ours)) == sum(len(v) for v in RECORDS.values())
    assert LocalYamlProvider("local", str(ours), **OPTIONS).plan(desired()) is None  # nothing left to do


def test_a_second_write_replaces_the_file(tmp_path: Path) -> None:
    provider = LocalYamlProvider("local", str(tmp_path), **OPTIONS)
    write(provider)
    smaller = Zone(ZONE, [])
    smaller.add_record(Record.new(smaller, "www", {"type": "A", "ttl": 60, "value": "192.0.2.9"}))
    plan = provider.plan(smaller)
    assert plan is not None
    provider.apply(plan)
    assert read(tmp_path) == {("www", "A", 60, repr({"ttl": 60, "value": "192.0.2.9"}))}
