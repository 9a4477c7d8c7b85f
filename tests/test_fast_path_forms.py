"""The remembered forms of the fast path are the forms it would compute: `wanted()` is `held()` of
`desired()`, zone by zone, and PowerDnsReader's record sets remembered by their contents are
`held()` of octodns-powerdns's own `_data_for_*` data, whatever was read before."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from octodns.zone import Zone
from octodns_powerdns import PowerDnsProvider

from bench import generate
from kolab_dns import declaration
from kolab_dns.octo import unchanged
from kolab_dns.octo.readers import PowerDnsReader, _key, _Names
from kolab_dns.octo.source import KolabSource
from kolab_dns.recordset import MX, RecordSet

from .test_plain_get import server


def test_wanted_is_held_of_desired(tmp_path: Path) -> None:
    path = generate.write_repo(tmp_path, 12)
    decl = declaration.load(str(path))
    source = KolabSource("kolab", declaration=decl)
    zones = [z.rstrip(".") for z in source.list_zones()]
    assert len(zones) > 3
    for _ in range(2):  # the second time from what was remembered
        for zone in zones:
            recordsets = source.records(zone)
            assert recordsets is not None
            data = unchanged.desired(zone, recordsets)
            assert data is not None
            assert unchanged.wanted(zone, recordsets) == {k: unchanged.held(d) for k, d in data.items()}


def test_wanted_keeps_ttls_apart_and_refuses_what_desired_refuses() -> None:
    mx = (MX(10, "mx.example.com."),)
    a = RecordSet("example.com", "MX", 300, mx, "example.com", "mx")
    b = RecordSet("sub.example.com", "MX", 600, mx, "example.com", "mx")
    ours = unchanged.wanted("example.com", [a, b])
    assert ours is not None and ours[("", "MX")] != ours[("sub", "MX")]
    assert ours[("", "MX")] == unchanged.held(unchanged.desired("example.com", [a])[("", "MX")])  # type: ignore[index]
    assert unchanged.wanted("example.com", [a, a]) is None
    odd = RecordSet("example.com", "A", "300", ("192.0.2.1",), "example.com", "host")  # type: ignore[arg-type]
    assert unchanged.wanted("example.com", [odd]) == {("", "A"): None}
    assert unchanged.held(unchanged.desired("example.com", [odd])[("", "A")]) is None  # type: ignore[index]


def rrset(name: str, rtype: str, contents: list[str], ttl: Any = 3600) -> dict[str, Any]:
    return {
        "name": name,
        "type": rtype,
        "ttl": ttl,
        "records": [{"content": c, "disabled": False} for c in contents],
    }


ZONE = "example.com"
RRSETS = [
    rrset("example.com.", "MX", ["10 mx.example.com.", "20 mx2.example.com."]),
    rrset("sub.example.com.", "MX", ["10 mx.example.com.", "20 mx2.example.com."], 600),
    rrset("other.example.com.", "MX", ["20 mx2.example.com.", "10 mx.example.com."], "3600"),
    rrset("example.com.", "TXT", ['"v=spf1 mx -all"', '"a;b\\;c"']),
    rrset("_dmarc.example.com.", "TXT", ['"v=DMARC1; p=reject"']),
    rrset("_sip._tcp.example.com.", "SRV", ["0 1 5060 sip.example.com."]),
    rrset("example.com.", "CAA", ['0 issue "letsencrypt.org"']),
    rrset("_25._tcp.mx.example.com.", "TLSA", ["3 1 1 ABCDEF0123"]),
    rrset("www.example.com.", "CNAME", ["example.com."]),
    rrset("Host.example.com.", "A", ["192.0.2.1", "192.0.2.2"]),
    rrset("v6.example.com.", "AAAA", ["2001:db8::1"]),
    rrset("example.com.", "NS", ["ns1.example.net.", "ns2.example.net."]),
    rrset("example.com.", "SOA", ["ns1.example.net. hostmaster.example.com. 1 2 3 4 5"]),
    rrset("odd.example.com.", "A", [["192.0.2.9"]]),  # not a string: judged each time, as before
]


def test_powerdns_sets_remembered_by_contents_are_what_data_for_gives() -> None:
    body = json.dumps({"rrsets": RRSETS}).encode()
    answer = (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body
    )
    with server(answer) as (port, seen):
        provider = PowerDnsProvider("pdns", host="127.0.0.1", port=port, api_key="k")
        zone = Zone(f"{ZONE}.", set())
        expected = {
            (zone.hostname_from_fqdn(r["name"]).lower(), r["type"]): unchanged.held(
                getattr(provider, f"_data_for_{r['type']}")(r)
            )
            for r in RRSETS
            if r["type"] in provider.SUPPORTS
        }
        reader = PowerDnsReader(provider)
        first, second = reader.read(ZONE), reader.read(ZONE)
    assert len(seen) == 2
    assert first == second == expected
    assert expected[("other", "MX")] is None  # a TTL octoDNS refuses is not taken from the memory
    assert expected[("sub", "MX")] == (600, expected[("", "MX")][1])  # type: ignore[index]


NAME_CASES = [
    "example.com.",
    "EXAMPLE.com.",
    "www.example.com.",
    "_25._tcp.Mail.example.com.",
    "wwwexample.com.",
    "www.example.com",
    "example.com",
    "www.example.org.",
    "www.examplexcom.",
    "a..example.com.",
    "bücher.example.com.",
    "xn--bcher-kva.example.com.",
    ".example.com.",
    "",
]


@pytest.mark.parametrize(
    "zone", ["example.com", "xn--bcher-kva.example", "0.2.0.192.in-addr.arpa", "a-b.example"]
)
@pytest.mark.parametrize("fqdn", NAME_CASES)
def test_owner_names_are_keyed_as_populate_keys_them(zone: str, fqdn: str) -> None:
    fqdn = fqdn.replace("example.com", zone)
    expected = _key(Zone(f"{zone}.", set()).hostname_from_fqdn(fqdn), "A")
    assert _Names(zone).key(fqdn, "A") == expected


@given(
    st.sampled_from(["example.com", "a-b.example", "0.2.0.192.in-addr.arpa"]),
    st.text(alphabet="abcXYZ-_.*0ü", max_size=12),
    st.sampled_from(["", ".", "x"]),
)
def test_owner_names_any_label(zone: str, label: str, tail: str) -> None:
    for fqdn in (f"{label}.{zone}.", f"{label}{zone}.", f"{label}.{zone}{tail}", label):
        try:
            expected: Any = _key(Zone(f"{zone}.", set()).hostname_from_fqdn(fqdn), "A")
        except Exception as e:
            expected = type(e)
        try:
            got: Any = _Names(zone).key(fqdn, "A")
        except Exception as e:
            got = type(e)
        assert got == expected, fqdn
