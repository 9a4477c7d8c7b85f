"""Mail-security records judged by independent validators against a real PowerDNS synced by kolab-dns.

pyspf evaluates SPF as a receiving MTA would, checkdmarc parses DMARC, SPF and TLS-RPT, and plain
DNS answers prove the PTRs and the DMARC report authorization. kolab-dns's own parser judges nothing.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import checkdmarc
import checkdmarc.utils
import dns.nameserver
import dns.resolver
import pytest
import spf
import yaml

from .conftest import PRIMARY, SECONDARY, MakeRepo, MakeTarget, Repo, Target, answers
from .https_policy import LocalCA, PolicyServer

CUSTOMER = "customer-mail.example"  # another organization, a zone of its own
IPV4, IPV6 = "185.254.79.10", "2001:db8:79::10"
REVERSE4, REVERSE6 = "79.254.185.in-addr.arpa", "9.7.0.0.8.b.d.0.1.0.0.2.ip6.arpa"
NEWSLETTER_NET = "198.51.100.0/24"


@pytest.fixture
def synced(pdns: MakeTarget, make_repo: MakeRepo) -> Iterator[tuple[Target, Repo]]:
    """The shipped deployment plus IPv6, reverse zones, an extra sender and a customer domain."""
    target = pdns(["klab.cc", CUSTOMER, REVERSE4, REVERSE6])
    repo = make_repo(target)
    decl: dict[str, Any] = repo.declaration
    decl["kolab"]["ipv6"] = [IPV6]
    decl["kolab"]["spf"] = [f"ip4:{NEWSLETTER_NET}"]
    decl["kolab"]["kolab_verify"] = True
    decl["zones"] = {z: "pdns" for z in ("klab.cc", CUSTOMER, REVERSE4, REVERSE6)}
    decl["secondary"] = [SECONDARY, {CUSTOMER: {"mta_sts": True}}]
    (repo.root / "zones" / "kolab.yaml").write_text(yaml.safe_dump(decl, sort_keys=False))
    repo.ok("sync")
    yield target, repo


@pytest.fixture
def resolver(synced: tuple[Target, Repo], monkeypatch: pytest.MonkeyPatch) -> dns.resolver.Resolver:
    """Every dnspython lookup in this process (pyspf's included) asks the synced PowerDNS."""
    res = synced[0].server.resolver()
    monkeypatch.setattr(dns.resolver, "default_resolver", res)
    return res


@pytest.mark.parametrize("domain", [PRIMARY, SECONDARY, CUSTOMER])
def test_pyspf_passes_the_hosts_ips_and_fails_others(resolver: dns.resolver.Resolver, domain: str) -> None:
    for ip in (IPV4, IPV6, "198.51.100.7"):
        result, explanation = spf.check2(i=ip, s=f"alice@{domain}", h=PRIMARY)
        assert result == "pass", (ip, domain, explanation)
    for ip in ("192.0.2.99", "2001:db8:dead::1"):
        result, explanation = spf.check2(i=ip, s=f"alice@{domain}", h=PRIMARY)
        assert result == "fail", (ip, domain, result, explanation)


def test_ptrs_point_every_ip_back_at_the_host(synced: tuple[Target, Repo]) -> None:
    server = synced[0].server
    for ip in (IPV4, IPV6):
        assert answers(server, ipaddress.ip_address(ip).reverse_pointer, "PTR") == {f"{PRIMARY}."}
    assert answers(server, PRIMARY, "AAAA") == {IPV6}


def test_report_authorization_only_for_another_organization(synced: tuple[Target, Repo]) -> None:
    server = synced[0].server
    assert answers(server, f"{CUSTOMER}._report._dmarc.{PRIMARY}", "TXT") == {"v=DMARC1"}
    assert answers(server, f"{SECONDARY}._report._dmarc.{PRIMARY}", "TXT") == set()


def checkdmarc_result(target: Target, domain: str) -> dict[str, Any]:
    checkdmarc.utils.DNS_CACHE.clear()  # each test's server holds other records under the same names
    nameserver = dns.nameserver.Do53Nameserver("127.0.0.1", port=target.server.dns_port)
    result: dict[str, Any] = checkdmarc.check_domains([domain], nameservers=[nameserver], timeout=5)
    return result


@pytest.mark.parametrize("domain, lookups", [(PRIMARY, 3), (SECONDARY, 5), (CUSTOMER, 5)])
def test_checkdmarc_reports_no_error(synced: tuple[Target, Repo], domain: str, lookups: int) -> None:
    target, repo = synced
    result = checkdmarc_result(target, domain)
    for part in ("spf", "dmarc", "smtp_tls_reporting"):
        assert result[part]["valid"] and not result[part]["warnings"], (part, result[part])
    assert not result["mx"]["warnings"], result["mx"]
    # checkdmarc's own lookup count agrees with the one kolab-dns computes offline
    assert result["spf"]["dns_lookups"] == lookups
    assert f"needs {lookups} of 10 DNS lookups" in repo.ok("validate").stdout
    # Here checkdmarc fetches the MTA-STS policy through the system resolver and finds no web
    # server; the next test serves the policy to it.
    mta_sts_error = result["mta_sts"].get("error", "")
    assert "Failed to resolve 'mta-sts." in mta_sts_error or "does not exist" in mta_sts_error


def test_checkdmarc_fetches_and_accepts_the_served_policy(
    synced: tuple[Target, Repo], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The policy `mta-sts policy --write` produced, served over HTTPS with a certificate from a
    local CA: checkdmarc (requests, verifying the certificate) reaches it through a getaddrinfo
    that sends only the mta-sts hosts to the loopback server."""
    target, repo = synced
    site = tmp_path / "site"
    repo.ok("mta-sts", "policy", "--write", str(site))
    hosts = [f"mta-sts.{d}" for d in (PRIMARY, CUSTOMER)]
    ca = LocalCA(tmp_path / "ca")
    web = PolicyServer(*ca.issue(hosts))
    for host in hosts:
        web.policies[host] = (site / host / ".well-known" / "mta-sts.txt").read_bytes().decode()
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        return (
            real("127.0.0.1", web.port, *args, **kwargs)
            if host in hosts
            else real(host, port, *args, **kwargs)
        )

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(ca.bundle))
    with web:
        for domain in (PRIMARY, CUSTOMER):
            mta_sts = checkdmarc_result(target, domain)["mta_sts"]
            assert mta_sts["valid"] and not mta_sts["warnings"], mta_sts
            assert mta_sts["policy"]["mode"] == "enforce" and mta_sts["policy"]["mx"] == [PRIMARY]
        # the validator is live: a policy with a mistyped mode is refused
        web.policies[hosts[0]] = web.policies[hosts[0]].replace("mode: enforce", "mode: enforcing")
        broken = checkdmarc_result(target, PRIMARY)["mta_sts"]
        assert not broken["valid"] and "enforcing" in broken["error"], broken
    assert len(web.requests) == 3


def test_checkdmarc_sees_a_missing_report_authorization(synced: tuple[Target, Repo]) -> None:
    target = synced[0]
    name = f"{CUSTOMER}._report._dmarc.{PRIMARY}"
    target.server.patch_rrsets("klab.cc", [{"name": name + ".", "type": "TXT", "changetype": "DELETE"}])
    dmarc = checkdmarc_result(target, CUSTOMER)["dmarc"]
    assert any(f"Authorization record not found: {name}" in w for w in dmarc["warnings"]), dmarc
    assert not checkdmarc_result(target, SECONDARY)["dmarc"]["warnings"]  # same organization


def test_kolab_confirmation_cname_for_each_secondary_only(synced: tuple[Target, Repo]) -> None:
    server = synced[0].server
    for domain in (SECONDARY, CUSTOMER):
        digest = hashlib.md5(f"hkccp-verify-{domain}".encode()).hexdigest()
        assert answers(server, f"kolab-verify.{domain}", "CNAME") == {f"{digest}.{domain}."}
    assert answers(server, f"kolab-verify.{PRIMARY}", "CNAME") == set()


def test_a_policy_change_is_one_update_per_mta_sts_record(synced: tuple[Target, Repo]) -> None:
    target, repo = synced
    assert json.loads(repo.ok("plan", "--format", "json").stdout)["changes"] == []
    policy_before = repo.ok("mta-sts", "policy").stdout_bytes  # CRLF lines, as served
    path = repo.root / "zones" / "kolab.yaml"
    path.write_text(path.read_text().replace("max_age: 604800", "max_age: 86400"))
    policy = repo.ok("mta-sts", "policy").stdout_bytes
    assert policy == policy_before.replace(b"max_age: 604800\r\n", b"max_age: 86400\r\n")
    changes = json.loads(repo.ok("plan", "--format", "json").stdout)["changes"]
    assert sorted((c["action"], c["name"], c["type"]) for c in changes) == [
        ("update", f"_mta-sts.{CUSTOMER}", "TXT"),
        ("update", f"_mta-sts.{PRIMARY}", "TXT"),
    ]
    repo.ok("sync")
    new_id = hashlib.sha256(policy).hexdigest()[:20]
    for domain in (PRIMARY, CUSTOMER):
        assert answers(target.server, f"_mta-sts.{domain}", "TXT") == {f"v=STSv1; id={new_id};"}
    assert answers(target.server, f"_mta-sts.{SECONDARY}", "TXT") == set()  # it did not ask for MTA-STS


def test_wildcard_report_authorization_replaces_the_per_domain_records(synced: tuple[Target, Repo]) -> None:
    target, repo = synced
    path = repo.root / "zones" / "kolab.yaml"
    path.write_text(path.read_text().replace("kolab:\n", "kolab:\n  report_authorization: wildcard\n", 1))
    changes = json.loads(repo.ok("plan", "--format", "json").stdout)["changes"]
    assert sorted((c["action"], c["name"]) for c in changes) == [
        ("create", f"*._report._dmarc.{PRIMARY}"),
        ("delete", f"{CUSTOMER}._report._dmarc.{PRIMARY}"),
        ("update", f"_kolab-dns.{PRIMARY}"),
    ]
    repo.ok("sync")
    assert answers(target.server, f"{CUSTOMER}._report._dmarc.{PRIMARY}", "TXT") == {"v=DMARC1"}  # wildcard
    dmarc = checkdmarc_result(target, CUSTOMER)["dmarc"]
    assert dmarc["valid"] and not dmarc["warnings"], dmarc
