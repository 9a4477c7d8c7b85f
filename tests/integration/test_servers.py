"""Self-test of the real-server fixtures: prove they serve what later integration tests rely on."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import dns.rcode
import dns.xfr
import pytest
from octodns.zone import Zone

from .servers import DEFAULT_NAMESERVER, Bind, PowerDNS, _proc_stat, free_port


@pytest.fixture(scope="module")
def pdns() -> Iterator[PowerDNS]:
    with PowerDNS() as server:
        yield server


@pytest.fixture(scope="module")
def bind() -> Iterator[Bind]:
    with Bind(["example.net.", "test.example."]) as server:
        yield server


def test_free_port_is_free_for_udp_and_tcp() -> None:
    ports = {free_port("both") for _ in range(5)}
    assert len(ports) == 5
    for port in ports:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.bind(("127.0.0.1", port))
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
            tcp.bind(("127.0.0.1", port))


def test_powerdns_serves_zone_created_via_api(pdns: PowerDNS) -> None:
    pdns.create_zone("example.com", rrsets=[pdns.rrset("www.example.com", "A", ["192.0.2.1"])])
    assert "example.com." in pdns.list_zones()
    assert pdns.answer("example.com", "NS") == {DEFAULT_NAMESERVER}
    (soa,) = pdns.answer("example.com", "SOA")
    assert soa.startswith(f"{DEFAULT_NAMESERVER} hostmaster.example.com. ")
    assert pdns.answer("www.example.com", "A") == {"192.0.2.1"}

    # Caches are off: a PATCH is visible over DNS immediately.
    pdns.patch_rrsets(
        "example.com",
        [
            pdns.rrset("www.example.com", "A", ["192.0.2.2"]),
            pdns.rrset("mail.example.com", "MX", ["10 mx.example.com."]),
        ],
    )
    assert pdns.answer("www.example.com", "A") == {"192.0.2.2"}
    assert pdns.resolver().resolve("mail.example.com", "MX")[0].to_text() == "10 mx.example.com."
    pdns.patch_rrsets("example.com", [pdns.rrset("mail.example.com", "MX", changetype="DELETE")])
    assert pdns.query("mail.example.com", "MX").rcode() == dns.rcode.NXDOMAIN
    assert pdns.query("not-served.example", "SOA").rcode() == dns.rcode.REFUSED


def test_powerdns_zone_lifecycle(pdns: PowerDNS) -> None:
    pdns.create_zone("gone.example")
    assert {r["type"] for r in pdns.get_zone("gone.example")["rrsets"]} == {"SOA", "NS"}
    pdns.delete_zone("gone.example")
    assert "gone.example." not in pdns.list_zones()
    assert pdns.query("gone.example", "SOA").rcode() == dns.rcode.REFUSED


def test_octodns_powerdns_provider_populates(pdns: PowerDNS) -> None:
    from octodns_powerdns import PowerDnsProvider

    pdns.create_zone("octo.example", rrsets=[pdns.rrset("www.octo.example", "A", ["192.0.2.9"])])
    provider = PowerDnsProvider("pdns", **pdns.provider_config())
    zone = Zone("octo.example.", [])
    assert provider.populate(zone) is True
    found = {(r.name, r._type): r for r in zone.records}
    assert found[("www", "A")].values == ["192.0.2.9"]
    assert found[("", "NS")].values == [DEFAULT_NAMESERVER]


def test_bind_serves_zones_and_accepts_signed_updates(bind: Bind) -> None:
    (soa,) = bind.answer("example.net", "SOA")
    assert soa.startswith(f"{DEFAULT_NAMESERVER} hostmaster.example.net. 1 ")
    assert bind.answer("test.example", "NS") == {DEFAULT_NAMESERVER}
    # The in-zone NS host got an address record, or the zone would not load.
    assert bind.answer(DEFAULT_NAMESERVER, "A") == {"127.0.0.1"}

    bind.add_records("example.net", [("foreign", 300, "TXT", '"seeded by someone else"')])
    assert bind.answer("foreign.example.net", "TXT") == {'"seeded by someone else"'}

    unsigned = bind.update("example.net", lambda u: u.add("evil", 300, "A", "192.0.2.66"), signed=False)
    assert unsigned.rcode() == dns.rcode.REFUSED
    assert bind.query("evil.example.net", "A").rcode() == dns.rcode.NXDOMAIN


def test_bind_axfr_needs_the_key(bind: Bind) -> None:
    with pytest.raises(dns.xfr.TransferError):
        bind.axfr("example.net", signed=False)
    zone = bind.axfr("example.net")
    assert zone.get_rdataset("example.net.", "SOA") is not None


# octodns-bind 1.1 emits DeprecationWarnings on octodns 1.22; -W error would fail on them.
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_octodns_rfc2136_provider_populates(bind: Bind) -> None:
    from octodns_bind import Rfc2136Provider

    bind.add_records("test.example", [("www", 300, "A", "192.0.2.10")])
    provider = Rfc2136Provider("bind", **bind.provider_config())
    zone = Zone("test.example.", [])
    provider.populate(zone)
    found = {(r.name, r._type): r for r in zone.records}
    assert found[("www", "A")].values == ["192.0.2.10"]
    assert found[("", "NS")].values == [DEFAULT_NAMESERVER]


def test_stop_kills_process_and_removes_dir() -> None:
    server = Bind(["stop.example"])
    pid, directory = server.pid, Path(server.dir)
    assert server.is_ours()
    server.stop()
    server.stop()  # idempotent
    stat = _proc_stat(pid)
    assert stat is None or stat[0] != "named" or stat[1] in ("Z", "X")
    assert not directory.exists()
