"""`kolab-dns check --endpoints` against real servers: postfix, dovecot and coturn from Debian and
an HTTPS server, all on one loopback address (`--address`), with certificates from a local CA and
DNS from a PowerDNS that kolab-dns synced.

A healthy host passes; each break made by hand (no STARTTLS, an expired certificate, one for the
wrong name, a closed port, a silent TURN server, a TLSA for another key) is reported with what was
expected and what was found. A fleet of 1,000 domains opens one connection per host and port,
counted by a proxy in front of the servers.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from .conftest import PRIMARY, MakeRepo, Repo, Target
from .counting_proxy import CountingProxy
from .endpoint_web import EndpointWeb, issue
from .https_policy import LocalCA
from .mailservers import DOVECOT_PORTS, SMTP_PORTS, STUN_PORT, Coturn, Dovecot, Postfix, free_address, missing
from .servers import PowerDNS

pytestmark = pytest.mark.skipif(bool(missing()), reason=missing() or "servers available")

HOST = PRIMARY
REV4 = "79.254.185.in-addr.arpa"
POLICY = "version: STSv1\r\nmode: {mode}\r\nmx: kolab.klab.cc\r\nmax_age: 604800\r\n"
WEB_NAMES = [HOST, f"mta-sts.{PRIMARY}", f"autodiscover.{PRIMARY}"]
TCP_PORTS = (*SMTP_PORTS, *DOVECOT_PORTS)


class DnssecPowerDNS(PowerDNS):
    """PowerDNS whose sqlite backend can sign a zone (for the DANE case)."""

    def _write_config(self) -> None:
        super()._write_config()
        with open(self.dir / "pdns.conf", "a") as fh:
            fh.write("gsqlite3-dnssec=yes\n")

    def sign(self, zone: str) -> None:
        self.api("POST", f"/zones/{zone}./cryptokeys", {"keytype": "csk", "active": True})


@dataclass
class MailHost:
    address: str
    postfix: Postfix
    dovecot: Dovecot
    coturn: Coturn
    web: EndpointWeb

    def stop(self) -> None:
        for server in (self.postfix, self.dovecot, self.coturn, self.web):
            server.stop()


def start_host(
    ca: LocalCA,
    *,
    smtp: dict[str, Any] | None = None,
    imap_cert: tuple[Path, Path] | None = None,
    sieve: bool = True,
    address: str | None = None,
    mode: str = "enforce",
) -> MailHost:
    """Servers for the mail host on a loopback address of their own, healthy unless told."""
    address = address or free_address((*TCP_PORTS, 443), (STUN_PORT,))
    cert, key = issue(ca, WEB_NAMES, f"host-{address}")
    started: list[Any] = []
    try:
        started.append(Postfix(address, HOST, cert, key, **(smtp or {})))
        started.append(Dovecot(address, *(imap_cert or (cert, key)), sieve=sieve))
        started.append(Coturn(address, PRIMARY))
        started.append(EndpointWeb(address, cert, key, HOST))
    except BaseException:
        for server in started:
            server.stop()
        raise
    host = MailHost(address, *started)
    host.web.policies[f"mta-sts.{PRIMARY}"] = POLICY.format(mode=mode)
    return host


@pytest.fixture(scope="module")
def dns_server() -> Iterator[DnssecPowerDNS]:
    with DnssecPowerDNS() as server:
        yield server


@pytest.fixture(scope="module")
def ca(tmp_path_factory: pytest.TempPathFactory) -> LocalCA:
    return LocalCA(tmp_path_factory.mktemp("endpoint-ca"))


@pytest.fixture(scope="module")
def healthy(ca: LocalCA) -> Iterator[MailHost]:
    host = start_host(ca)
    yield host
    host.stop()


@dataclass
class Deployment:
    repo: Repo
    server: DnssecPowerDNS

    def run(self, address: str | None, fmt: str) -> tuple[int, str]:
        ns = f"127.0.0.1:{self.server.dns_port}"
        where = ("--address", address) if address else ()
        result = self.repo.run("check", "--nameserver", ns, "--endpoints", *where, "--format", fmt)
        return result.exit_code, result.stdout

    def check(self, address: str | None) -> tuple[int, dict[str, Any]]:
        code, out = self.run(address, "json")
        return code, json.loads(out)

    def declare(self, change: Callable[[dict[str, Any]], None]) -> None:
        """Change the declaration and sync it."""
        change(self.repo.declaration)
        text = yaml.safe_dump(self.repo.declaration, sort_keys=False)
        (self.repo.root / "zones" / "kolab.yaml").write_text(text)
        self.repo.ok("sync")


@pytest.fixture
def deployment(
    dns_server: DnssecPowerDNS, make_repo: MakeRepo, ca: LocalCA, monkeypatch: pytest.MonkeyPatch
) -> Deployment:
    for zone in dns_server.list_zones():
        dns_server.delete_zone(zone)
    for zone in ("klab.cc", REV4):
        dns_server.create_zone(zone)
    repo = make_repo(Target("pdns", dns_server, ["klab.cc", REV4]))
    repo.write(zones={"klab.cc": "pdns", REV4: "pdns"})
    repo.ok("sync")
    monkeypatch.setenv("KOLAB_DNS_CA_BUNDLE", str(ca.bundle))
    monkeypatch.delenv("KOLAB_DNS_HTTPS_CONNECT", raising=False)
    return Deployment(repo, dns_server)


def results(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for d in doc["domains"] for r in d["results"]]


def one(doc: dict[str, Any], check: str, subject: str) -> dict[str, Any]:
    found = [r for r in results(doc) if r["check"] == check and r["subject"] == subject]
    assert len(found) == 1, f"{check} {subject}: {found or [r for r in results(doc) if r['status'] != 'ok']}"
    return found[0]


def test_a_healthy_mail_host_passes_every_endpoint_check(deployment: Deployment, healthy: MailHost) -> None:
    code, doc = deployment.check(healthy.address)
    assert [(r["subject"], r["found"]) for r in results(doc) if r["status"] != "ok"] == []
    assert code == 0
    banner = one(doc, "smtp", f"{HOST}:25 SMTP (STARTTLS)")
    assert banner["found"][0].startswith(f"220 {HOST} ESMTP") and banner["found"][1] == "STARTTLS offered"
    for check, port in (("smtp", 25), ("submission", 465), ("submission", 587), ("imap", 143), ("imap", 993)):
        tls = one(doc, check, f"{HOST}:{port} TLS")
        assert tls["found"][0] in ("TLSv1.2", "TLSv1.3") and tls["found"][1].startswith(
            f"certificate for {HOST},"
        )
        assert one(doc, check, f"{HOST}:{port} certificate expiry")["found"][0].startswith("89 days left")
    assert one(doc, "sieve", f"{HOST}:4190 ManageSieve (STARTTLS)")["found"][0].startswith('"IMPLEMENTATION"')
    stun = one(doc, "stun", f"{HOST}:3478 STUN (UDP)")["found"]
    assert len(stun) == 1 and stun[0].startswith("binding response, mapped address 127.")
    for name in WEB_NAMES:
        assert one(doc, "https", f"{name}:443 TLS")["status"] == "ok"
    assert one(doc, "autoconfig", f"https://{HOST}/mail/config-v1.1.xml")["found"] == [
        f"imap {HOST} 993 SSL",
        f"smtp {HOST} 587 STARTTLS",
    ]
    autodiscover = one(doc, "autodiscover", f"https://autodiscover.{PRIMARY}/autodiscover/autodiscover.xml")
    assert autodiscover["found"] == [
        f"imap {HOST} 993 (security unspecified)",
        f"smtp {HOST} 465 (security unspecified)",
    ]
    assert f"POST autodiscover.{PRIMARY}/autodiscover/autodiscover.xml" in healthy.web.requests
    assert not [r for r in results(doc) if r["check"] == "tlsa"]  # none published: DANE is optional


def test_without_address_the_probes_go_where_dns_points(deployment: Deployment, healthy: MailHost) -> None:
    """The host's A record names the servers' loopback address: no --address, the same results."""
    _, a, b, _ = healthy.address.split(".")
    reverse = f"{b}.{a}.127.in-addr.arpa"
    deployment.server.create_zone(reverse)

    def point(decl: dict[str, Any]) -> None:
        decl["kolab"]["ipv4"] = [healthy.address]
        decl["zones"][reverse] = "pdns"

    deployment.declare(point)
    code, doc = deployment.check(None)
    assert [(r["subject"], r["found"]) for r in results(doc) if r["status"] != "ok"] == []
    assert code == 0
    smtp = one(doc, "smtp", f"{HOST}:25 SMTP (STARTTLS)")
    assert smtp["expected"][0] == f"SMTP answers at {healthy.address} port 25"
    assert one(doc, "stun", f"{HOST}:3478 STUN (UDP)")["status"] == "ok"


def test_each_break_is_reported_with_expected_and_found(deployment: Deployment, ca: LocalCA) -> None:
    expired = issue(ca, [HOST], "expired", expired=True)
    wrong = issue(ca, ["mail.other.example"], "wrong-name")
    host = start_host(ca, smtp={"starttls": False, "certs": {587: expired}}, imap_cert=wrong, sieve=False)
    try:
        host.coturn.pause()
        code, doc = deployment.check(host.address)
    finally:
        host.stop()
    assert code == 1

    no_starttls = one(doc, "smtp", f"{HOST}:25 SMTP (STARTTLS)")
    assert no_starttls["status"] == "fail" and "STARTTLS offered" in no_starttls["expected"]
    assert no_starttls["found"][1] == "STARTTLS is not offered"
    assert not [r for r in results(doc) if r["subject"] == f"{HOST}:25 TLS"]

    old = one(doc, "submission", f"{HOST}:587 TLS")
    assert old["status"] == "fail" and old["found"][-1] == "refused: certificate has expired"
    ended = one(doc, "submission", f"{HOST}:587 certificate expiry")
    assert ended["status"] == "fail" and ended["found"][0].startswith("expired 2 days ago")
    assert ended["expected"] == ["14 days or more"]
    assert one(doc, "submission", f"{HOST}:465 TLS")["status"] == "ok"  # the break is per port

    for port in (143, 993):
        name = one(doc, "imap", f"{HOST}:{port} TLS")
        assert name["status"] == "fail" and name["expected"][1] == f"a certificate valid for {HOST}"
        assert name["found"][1].startswith("certificate for mail.other.example (issued by kolab-dns test CA")
        assert "Hostname mismatch" in name["found"][2]

    closed = one(doc, "sieve", f"{HOST}:4190 ManageSieve (STARTTLS)")
    assert closed["status"] == "fail" and closed["found"] == ["connection refused (the port is closed)"]
    assert "open port 4190" in closed["hint"]

    silent = one(doc, "stun", f"{HOST}:3478 STUN (UDP)")
    assert silent["status"] == "fail" and silent["expected"] == ["a binding response (RFC 5389)"]
    assert silent["found"] == ["no answer to 3 binding requests within 3.5 s"]


def test_a_port_25_name_mismatch_fails_under_mta_sts_enforce_and_warns_otherwise(
    deployment: Deployment, ca: LocalCA
) -> None:
    wrong = issue(ca, ["mail.other.example"], "mx-wrong-name")
    host = start_host(ca, smtp={"certs": {25: wrong}})
    try:
        code, doc = deployment.check(host.address)
        enforced = one(doc, "smtp", f"{HOST}:25 TLS")
        assert code == 1 and enforced["status"] == "fail"
        assert f"MTA-STS enforce ({PRIMARY})" in enforced["hint"]

        deployment.declare(lambda decl: decl["kolab"]["mta_sts"].update(mode="testing"))
        host.web.policies[f"mta-sts.{PRIMARY}"] = POLICY.format(mode="testing")
        code, doc = deployment.check(host.address)
        warned = one(doc, "smtp", f"{HOST}:25 TLS")
        assert warned["status"] == "warn" and "no domain publishes MTA-STS enforce" in warned["hint"]
        assert [r for r in results(doc) if r["status"] not in ("ok", "warn")] == []
        assert code == 0 and doc["summary"]["warn"] == 1
        code, text = deployment.run(host.address, "text")
        assert code == 0 and f"WARN {HOST}: 1 of" in text and "warn      smtp" in text
    finally:
        host.stop()


def _spki_sha256(cert: Path) -> str:
    """The oracle: openssl's own reading of the key, hashed."""
    pubkey = subprocess.run(
        ["openssl", "x509", "-in", str(cert), "-pubkey", "-noout"], capture_output=True, check=True
    )
    der = subprocess.run(
        ["openssl", "pkey", "-pubin", "-outform", "DER"], input=pubkey.stdout, capture_output=True, check=True
    )
    digest = subprocess.run(
        ["openssl", "dgst", "-sha256", "-r"], input=der.stdout, capture_output=True, check=True
    )
    return digest.stdout.split()[0].decode()


def test_tlsa_from_a_file_and_from_the_endpoint_and_compared_by_check(
    deployment: Deployment, healthy: MailHost, ca: LocalCA
) -> None:
    cert = ca.dir / f"host-{healthy.address}.crt"
    expected = f"_25._tcp.{HOST}. IN TLSA 3 1 1 {_spki_sha256(cert)}"
    assert deployment.repo.ok("tlsa", str(cert)).stdout.strip() == expected
    live = deployment.repo.ok("tlsa", "--from-endpoint", f"{HOST}:25", "--address", healthy.address)
    assert live.stdout.strip() == expected
    sieve = deployment.repo.ok("tlsa", "--from-endpoint", f"{HOST}:4190", "--address", healthy.address)
    assert sieve.stdout.strip() == expected.replace("_25.", "_4190.")

    record = expected.split(" TLSA ")[1]
    server = deployment.server
    deployment.declare(lambda decl: decl["kolab"].update(tlsa=[record]))  # kolab.tlsa publishes it
    assert server.answer(f"_25._tcp.{HOST}", "TLSA") == {record}
    code, doc = deployment.check(healthy.address)
    assert one(doc, "record", f"_25._tcp.{HOST} TLSA")["status"] == "ok"
    unsigned = one(doc, "tlsa", f"_25._tcp.{HOST} TLSA")
    assert code == 0 and unsigned["status"] == "warn" and unsigned["found"] == [record]
    assert "DANE needs a DNSSEC-signed zone: klab.cc has no DNSKEY" in unsigned["hint"]

    server.sign("klab.cc")
    code, doc = deployment.check(healthy.address)
    assert one(doc, "tlsa", f"_25._tcp.{HOST} TLSA")["status"] == "ok" and code == 0

    other = "3 1 1 " + "ab" * 32
    server.patch_rrsets("klab.cc", [PowerDNS.rrset(f"_25._tcp.{HOST}", "TLSA", [other], 3600)])
    code, doc = deployment.check(healthy.address)
    stale = one(doc, "tlsa", f"_25._tcp.{HOST} TLSA")
    assert code == 1 and stale["status"] == "fail" and stale["found"] == [other]
    assert one(doc, "record", f"_25._tcp.{HOST} TLSA")["status"] == "different"  # not the declared one
    assert stale["expected"] == [f"a record matching the certificate on port 25, e.g. {record}"]
    assert "DANE senders refuse delivery;" in stale["hint"]


def test_a_thousand_domains_open_one_connection_per_host_and_port(
    deployment: Deployment, healthy: MailHost, ca: LocalCA
) -> None:
    # Four zones of 250 domains: one PATCH of a thousand domains' records is over PowerDNS's 2 MB.
    zones = [f"fleet{z}.example" for z in range(4)]
    fleet = [f"d{i}.{zones[i % 4]}" for i in range(1000)]
    for zone in zones:
        deployment.server.create_zone(zone)

    def grow(decl: dict[str, Any]) -> None:
        decl["zones"].update(dict.fromkeys(zones, "pdns"))
        decl["secondary"] = [*decl["secondary"], *fleet]

    deployment.declare(grow)
    front = free_address((*TCP_PORTS, 443), (STUN_PORT,))
    cert, key = issue(ca, WEB_NAMES, "front")
    with (
        CountingProxy(front, healthy.address, TCP_PORTS, (STUN_PORT,)) as proxy,
        EndpointWeb(front, cert, key, HOST) as web,
    ):
        web.policies[f"mta-sts.{PRIMARY}"] = POLICY.format(mode="enforce")
        code, doc = deployment.check(front)
    assert code == 0, [r for r in results(doc) if r["status"] != "ok"][:5]
    assert doc["summary"]["domains"] == 1002
    assert dict(proxy.accepted) == {port: 1 for port in TCP_PORTS}
    assert {port: len(ids) for port, ids in proxy.transactions.items()} == {STUN_PORT: 1}
    # mta-sts twice: the endpoint's certificate, and the `mta-sts` check's own policy fetch
    assert dict(web.connections) == {HOST: 1, f"autodiscover.{PRIMARY}": 1, f"mta-sts.{PRIMARY}": 2}
