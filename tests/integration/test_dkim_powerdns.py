"""DKIM end to end: keys from `kolab-dns dkim new`, synced to a real PowerDNS, verified by dkimpy.

A message signed with `d=` the secondary domain only verifies if the resolver follows the
secondary's CNAME to the primary's TXT, exactly as receiving MTAs do. Rotation publishes a second
selector beside the first, and retiring the first removes its TXT and every CNAME to it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import dns.name
import dns.rcode
import dns.rdatatype
import pytest
import yaml
from click.testing import CliRunner

from kolab_dns.cli import cli

from ..dkim_sign import DnsFunc, sign, tampered, verify
from .servers import PowerDNS

PRIMARY, SECONDARY = "kolab.klab.cc", "kolab-secondary.klab.cc"


@pytest.fixture(scope="module")
def powerdns() -> Iterator[PowerDNS]:
    with PowerDNS() as server:
        yield server


@pytest.fixture
def server(powerdns: PowerDNS) -> PowerDNS:
    """The module's PowerDNS, holding only an empty klab.cc (NS ns1.test.example.)."""
    for zone in powerdns.list_zones():
        powerdns.delete_zone(zone)
    powerdns.create_zone("klab.cc")
    return powerdns


@pytest.fixture
def pdns_repo(repo: Path, server: PowerDNS, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The shipped declaration with klab.cc on PowerDNS; the API key only in the environment."""
    conf = {"class": "octodns_powerdns.PowerDnsProvider", **server.provider_config()}
    conf["api_key"] = "env/PDNS_API_KEY"
    (repo / "providers" / "pdns.yaml").write_text(yaml.safe_dump(conf))
    monkeypatch.setenv("PDNS_API_KEY", server.api_key)
    path = repo / "zones" / "kolab.yaml"
    path.write_text(path.read_text().replace("klab.cc: local", "klab.cc: pdns"))
    return repo


def cli_ok(repo: Path, *args: str) -> str:
    result = CliRunner().invoke(cli, ["-C", str(repo), *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.exit_code == 0, f"kolab-dns {' '.join(args)}: {result.output}"
    return result.stdout


def new_key(repo: Path, selector: str, *options: str) -> bytes:
    cli_ok(repo, "dkim", "new", selector, *options)
    return (repo / ".kolab-dns" / "keys" / f"{selector}.key").read_bytes()


def through(server: PowerDNS, hops: list[str]) -> DnsFunc:
    """dkimpy's dnsfunc asking PowerDNS directly: it follows CNAME chains itself (an authoritative
    server only adds the target when it is in the same zone) and records each hop in `hops`."""

    def txt(name: bytes, timeout: int = 5) -> bytes | None:
        current = dns.name.from_text(name.decode())
        for _ in range(8):
            response = server.query(current.to_text(), "TXT")
            if response.rcode() != dns.rcode.NOERROR:
                return None
            answer = {(r.name, r.rdtype): r for r in response.answer}
            asked = current
            while (current, dns.rdatatype.CNAME) in answer:
                current = answer[(current, dns.rdatatype.CNAME)][0].target
                hops.append(current.to_text())
            if (current, dns.rdatatype.TXT) in answer:
                return b"".join(answer[(current, dns.rdatatype.TXT)][0].strings)
            if current == asked:
                return None
        raise AssertionError(f"CNAME loop at {name!r}")

    return txt


def test_signature_for_a_secondary_verifies_through_the_cname(pdns_repo: Path, server: PowerDNS) -> None:
    private = new_key(pdns_repo, "s2025")
    cli_ok(pdns_repo, "sync")
    assert server.answer(f"s2025._domainkey.{SECONDARY}", "CNAME") == {f"s2025._domainkey.{PRIMARY}."}

    hops: list[str] = []
    signed = sign(private, "s2025", SECONDARY)
    assert verify(signed, through(server, hops))
    assert hops == [f"s2025._domainkey.{PRIMARY}."]
    assert not verify(tampered(signed), through(server, []))
    assert verify(sign(private, "s2025", PRIMARY), through(server, []))


def test_rotation_publishes_both_then_retires_the_old(pdns_repo: Path, server: PowerDNS) -> None:
    old_key = new_key(pdns_repo, "old")
    cli_ok(pdns_repo, "sync")
    old_signed = sign(old_key, "old", SECONDARY)
    assert verify(old_signed, through(server, []))

    # publish the new selector (ed25519) beside the old one: mail signed with either verifies
    new_key_ = new_key(pdns_repo, "new", "--type", "ed25519")
    cli_ok(pdns_repo, "sync")
    (txt,) = server.answer(f"new._domainkey.{PRIMARY}", "TXT")
    assert txt.startswith('"v=DKIM1; k=ed25519; p=')
    new_signed = sign(new_key_, "new", SECONDARY, "ed25519")
    assert verify(old_signed, through(server, [])) and verify(new_signed, through(server, []))

    # the signer has switched: retire the old selector
    cli_ok(pdns_repo, "dkim", "retire", "old")
    cli_ok(pdns_repo, "sync")
    for name in (f"old._domainkey.{PRIMARY}", f"old._domainkey.{SECONDARY}"):
        for rdtype in ("TXT", "CNAME"):
            assert server.query(name, rdtype).rcode() == dns.rcode.NXDOMAIN, (name, rdtype)
    assert not verify(old_signed, through(server, []))
    assert verify(new_signed, through(server, [])) and not verify(tampered(new_signed), through(server, []))
    assert cli_ok(pdns_repo, "plan").startswith("Plan: 1 zones, 0 with changes")
