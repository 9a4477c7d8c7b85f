"""`kolab-dns check` against a real PowerDNS that kolab-dns synced, and a real HTTPS policy server.

The deployment uses every family the check knows: IPv4 and IPv6 with managed reverse zones (PTR),
a secondary inside the primary's zone, an own-zone secondary publishing MTA-STS, and an unmanaged
secondary whose "customer" published what `render --domain` printed. Everything passes; then each
break made by hand through the PowerDNS API (or the web server) is reported precisely: check name,
domain, subject, expected and found, with the right exit code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dns.rdataclass
import dns.rdatatype
import dns.reversename
import dns.zone
import pytest
import yaml

from kolab_dns import dkim as dkim_keys
from kolab_dns.records.mta_sts import policy_id

from .conftest import PRIMARY, SECONDARY, MakeRepo, MakeTarget, Repo, Target
from .https_policy import LocalCA, PolicyServer
from .servers import PowerDNS, free_port

HOST = PRIMARY
IPV4, IPV6 = "185.254.79.10", "2001:db8:79::10"
REV4, REV6 = "79.254.185.in-addr.arpa", "9.7.0.0.8.b.d.0.1.0.0.2.ip6.arpa"
OWN, UNMANAGED = "customer.example", "unmanaged.example"
REPORTS = "reports.example"  # another organizational domain: every mail domain must authorize it
POLICY = "version: STSv1\r\nmode: enforce\r\nmx: kolab.klab.cc\r\nmax_age: 604800\r\n"
MTA_STS = [PRIMARY, OWN]
CA = "letsencrypt.org"


@dataclass
class Deployment:
    repo: Repo
    target: Target
    server: PowerDNS
    web: PolicyServer
    private_key: Path
    public_key: str
    ca: LocalCA

    @property
    def nameserver(self) -> str:
        return f"127.0.0.1:{self.server.dns_port}"

    def check(self, *args: str) -> tuple[int, dict[str, Any]]:
        result = self.repo.run("check", "--nameserver", self.nameserver, "--format", "json", *args)
        assert self.private_key.read_text() not in result.output
        return result.exit_code, json.loads(result.stdout)

    def replace(self, name: str, rdtype: str, *contents: str) -> None:
        self.server.patch_rrsets(_zone(name), [PowerDNS.rrset(name, rdtype, contents, 3600)])

    def delete(self, name: str, rdtype: str) -> None:
        zone = _zone(name)
        self.server.patch_rrsets(zone, [PowerDNS.rrset(name, rdtype, changetype="DELETE")])


def _zone(name: str) -> str:
    return next(z for z in (REV4, REV6, OWN, UNMANAGED, REPORTS, "klab.cc") if name.endswith(z))


def results(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for d in doc["domains"] for r in d["results"]]


def failing(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for r in results(doc) if r["status"] != "ok"]


def one(doc: dict[str, Any], **match: Any) -> dict[str, Any]:
    found = [r for r in results(doc) if all(r[k] == v for k, v in match.items())]
    assert len(found) == 1, f"{match}: {found or failing(doc)}"
    return found[0]


def _publish_unmanaged(repo: Repo, server: PowerDNS) -> None:
    """What the customer does with `render --domain`: load the printed zone into their DNS."""
    text = repo.ok("render", "--domain", UNMANAGED, "--format", "zone").stdout
    zone = dns.zone.from_text(text, origin=UNMANAGED + ".", relativize=False, check_origin=False)
    rrsets = [
        PowerDNS.rrset(name.to_text(), dns.rdatatype.to_text(rds.rdtype), [r.to_text() for r in rds], rds.ttl)
        for name, rds in zone.iterate_rdatasets()
        if rds.rdclass == dns.rdataclass.IN
    ]
    server.patch_rrsets(UNMANAGED, rrsets)


@pytest.fixture
def deployment(pdns: MakeTarget, make_repo: MakeRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    target = pdns(["klab.cc", REV4, REV6, OWN, UNMANAGED, REPORTS])
    repo = make_repo(target)
    pair = dkim_keys.generate("rsa", 2048)
    key_path = tmp_path / "dkim1.key"
    key_path.write_bytes(pair.private)
    decl = repo.declaration
    decl["kolab"].update(ipv4=[IPV4], ipv6=[IPV6], dkim={"dkim1": pair.public}, kolab_verify=True, caa=[CA])
    decl["kolab"]["reports"] = f"dmarc@{REPORTS}"
    decl["zones"] = {"klab.cc": "pdns", REV4: "pdns", REV6: "pdns", OWN: "pdns", REPORTS: "pdns"}
    decl["secondary"] = [SECONDARY, {OWN: {"mta_sts": True}}, {UNMANAGED: {"managed": False}}]
    (repo.root / "zones" / "kolab.yaml").write_text(yaml.safe_dump(decl, sort_keys=False))
    repo.ok("sync")
    assert isinstance(target.server, PowerDNS)
    _publish_unmanaged(repo, target.server)

    ca = LocalCA(tmp_path / "ca")
    cert, key = ca.issue([f"mta-sts.{d}" for d in MTA_STS])
    web = PolicyServer(cert, key)
    web.policies.update({f"mta-sts.{d}": POLICY for d in MTA_STS})
    monkeypatch.setenv("KOLAB_DNS_CA_BUNDLE", str(ca.bundle))
    monkeypatch.setenv("KOLAB_DNS_HTTPS_CONNECT", web.connect)
    with web:
        yield Deployment(repo, target, target.server, web, key_path, pair.public, ca)


def test_a_synced_deployment_passes_every_check(deployment: Deployment) -> None:
    code, doc = deployment.check("--dkim-key", f"dkim1={deployment.private_key}")
    assert failing(doc) == []
    assert code == 0 and doc["exit_code"] == 0
    assert [d["domain"] for d in doc["domains"]] == [PRIMARY, SECONDARY, OWN, UNMANAGED]
    checks = {(r["domain"], r["check"]) for r in results(doc)}
    for domain in (PRIMARY, SECONDARY, OWN, UNMANAGED):
        assert {(domain, c) for c in ("record", "spf", "dkim", "dmarc", "tls-rpt")} <= checks
    for domain in (SECONDARY, OWN, UNMANAGED):
        assert (domain, "kolab-verify") in checks
    assert {(PRIMARY, c) for c in ("fcrdns", "dkim-key", "mta-sts")} <= checks
    assert (OWN, "mta-sts") in checks and (SECONDARY, "mta-sts") not in checks
    assert {r["subject"] for r in results(doc) if r["check"] == "fcrdns"} == {
        f"{HOST} CNAME",
        f"{IPV4} PTR",
        f"{IPV6} PTR",
    }
    assert sorted(deployment.web.requests) == sorted(f"mta-sts.{d}/.well-known/mta-sts.txt" for d in MTA_STS)
    spf = one(doc, domain=OWN, check="spf", subject=IPV6)
    assert spf["found"] == ["pass"]
    assert one(doc, domain=OWN, check="spf", subject="192.0.2.1 (outside the deployment)")["found"] == [
        "fail"
    ]

    text = deployment.repo.run("check", "--nameserver", deployment.nameserver)
    assert text.exit_code == 0, text.output
    assert f"PASS {PRIMARY}: all" in text.stdout and f"PASS {UNMANAGED}: all" in text.stdout
    assert "\x1b[" not in text.stdout  # no colour when not on a terminal
    assert "kolab-dns: checked 4/4" in text.stderr


def test_missing_srv(deployment: Deployment) -> None:
    deployment.delete(f"_imaps._tcp.{OWN}", "SRV")
    code, doc = deployment.check()
    assert code == 1
    (bad,) = failing(doc)
    assert bad["domain"] == OWN and bad["check"] == "record"
    assert bad["subject"] == f"_imaps._tcp.{OWN} SRV"
    assert (bad["status"], bad["expected"], bad["found"]) == ("missing", [f"0 1 993 {HOST}."], [])
    assert "kolab-dns sync" in bad["hint"]


def test_caa_is_served_and_a_changed_one_is_reported(deployment: Deployment) -> None:
    expected = [f'0 iodef "mailto:dmarc@{REPORTS}"', f'0 issue "{CA}"']
    assert sorted(deployment.server.answer(HOST, "CAA")) == expected
    ok = one(deployment.check()[1], subject=f"{HOST} CAA")
    assert (ok["domain"], ok["check"], ok["status"]) == (HOST, "record", "ok")
    deployment.replace(HOST, "CAA", '0 issue "other-ca.example"')
    code, doc = deployment.check()
    assert code == 1
    (bad,) = failing(doc)
    assert (bad["domain"], bad["check"], bad["subject"], bad["status"]) == (
        HOST,
        "record",
        f"{HOST} CAA",
        "different",
    )
    assert (bad["expected"], bad["found"]) == (expected, ['0 issue "other-ca.example"'])
    assert "kolab-dns sync" in bad["hint"]


def test_wrong_dkim_key_is_found_through_every_cname(deployment: Deployment) -> None:
    other = dkim_keys.generate("rsa", 1024).public
    deployment.replace(f"dkim1._domainkey.{PRIMARY}", "TXT", f'"v=DKIM1; p={other}"')
    code, doc = deployment.check("--dkim-key", f"dkim1={deployment.private_key}")
    assert code == 1
    declared = f"v=DKIM1; p={deployment.public_key}"
    for domain in (PRIMARY, SECONDARY, OWN, UNMANAGED):
        r = one(doc, domain=domain, check="dkim")
        assert (r["status"], r["expected"], r["found"]) == ("different", [declared], [f"v=DKIM1; p={other}"])
        if domain != PRIMARY:
            assert r["subject"] == f"dkim1._domainkey.{domain} TXT (through the CNAME)"
    key = one(doc, check="dkim-key")
    assert (key["status"], key["found"]) == ("different", [f"v=DKIM1; p={other}"])
    assert key["expected"] == [f"k=rsa; p={deployment.public_key}"]
    assert {(r["domain"], r["check"]) for r in failing(doc)} == {
        (d, "dkim") for d in (PRIMARY, SECONDARY, OWN, UNMANAGED)
    } | {(PRIMARY, "dkim-key")}


def test_spf_without_the_ip(deployment: Deployment) -> None:
    deployment.replace(PRIMARY, "TXT", '"v=spf1 ip4:192.0.2.99 -all"', '"google-site-verification=abc"')
    code, doc = deployment.check()
    assert code == 1
    record = one(doc, domain=PRIMARY, check="record", subject=f"{PRIMARY} TXT")
    assert record["status"] == "different"
    assert record["expected"] == [f"v=spf1 mx a:{HOST} mx:{HOST} -all"]
    assert record["found"] == ["google-site-verification=abc", "v=spf1 ip4:192.0.2.99 -all"]
    assert record["hint"] == "`kolab-dns sync` restores the declared values"
    for ip in (IPV4, IPV6):
        r = one(doc, domain=PRIMARY, check="spf", subject=ip)
        assert r["status"] == "fail" and r["expected"] == ["pass"]
        assert r["found"][0].startswith("fail"), r
        assert ip in r["hint"]
    # the secondaries' own `mx` still authorises the host, whatever the primary's record says
    assert {(r["domain"], r["check"]) for r in failing(doc)} == {(PRIMARY, "record"), (PRIMARY, "spf")}


def test_spf_over_ten_lookups(deployment: Deployment) -> None:
    deployment.replace(f"other.{PRIMARY}", "A", "192.0.2.50")
    spf = "v=spf1 " + f"a:other.{PRIMARY} " * 10 + f"a:{HOST} -all"
    deployment.replace(PRIMARY, "TXT", f'"{spf}"')
    code, doc = deployment.check("--domain", PRIMARY)
    assert code == 1
    lookups = one(doc, domain=PRIMARY, check="spf", subject="DNS lookups")
    assert (lookups["status"], lookups["expected"], lookups["found"]) == ("fail", ["<= 10"], ["11"])
    r = one(doc, domain=PRIMARY, check="spf", subject=IPV4)
    assert r["status"] == "fail" and r["found"][0].startswith("permerror"), r


def test_dmarc_is_compared_tag_by_tag(deployment: Deployment) -> None:
    (declared,) = deployment.server.answer(f"_dmarc.{SECONDARY}", "TXT")
    tags = [t.strip() for t in declared.strip('"').split(";")]
    reordered = "; ".join([tags[0], *reversed(tags[1:])])  # same tags, another order: still fine
    deployment.replace(f"_dmarc.{SECONDARY}", "TXT", f'"{reordered}"')
    weakened = declared.strip('"').replace("p=quarantine", "p=none")
    deployment.replace(f"_dmarc.{OWN}", "TXT", f'"{weakened}"')
    code, doc = deployment.check()
    assert code == 1
    (bad,) = failing(doc)
    assert (bad["domain"], bad["check"], bad["subject"]) == (OWN, "dmarc", f"_dmarc.{OWN} TXT")
    assert (bad["status"], bad["found"]) == ("different", [weakened])
    assert bad["hint"].startswith("p: quarantine expected, none found")


def test_missing_report_authorization(deployment: Deployment) -> None:
    name = f"{OWN}._report._dmarc.{REPORTS}"
    deployment.delete(name, "TXT")
    code, doc = deployment.check()
    assert code == 1
    (bad,) = failing(doc)
    assert (bad["domain"], bad["check"], bad["subject"]) == (OWN, "dmarc", f"{name} TXT")
    assert (bad["status"], bad["expected"], bad["found"]) == ("missing", ["v=DMARC1"], [])
    for domain in (PRIMARY, SECONDARY, UNMANAGED):
        assert one(doc, domain=domain, subject=f"{domain}._report._dmarc.{REPORTS} TXT")["status"] == "ok"


def test_ptr_pointing_elsewhere(deployment: Deployment) -> None:
    deployment.replace(f"10.{REV4}", "PTR", "mail.other.example.")
    code, doc = deployment.check()
    assert code == 1
    (bad,) = failing(doc)
    assert (bad["domain"], bad["check"], bad["subject"]) == (HOST, "fcrdns", f"{IPV4} PTR")
    assert (bad["status"], bad["expected"], bad["found"]) == (
        "different",
        [f"{HOST}."],
        ["mail.other.example."],
    )


def test_policy_served_with_another_mx(deployment: Deployment) -> None:
    deployment.web.policies[f"mta-sts.{OWN}"] = POLICY.replace("kolab.klab.cc", "mail.other.example")
    code, doc = deployment.check()
    assert code == 1
    url = f"https://mta-sts.{OWN}/.well-known/mta-sts.txt"
    policy = one(doc, domain=OWN, check="mta-sts", subject=url)
    assert policy["status"] == "different"
    assert "mx: kolab.klab.cc" in policy["expected"] and "mx: mail.other.example" in policy["found"]
    assert "the id and the policy disagree" in policy["hint"]
    assert policy_id(POLICY) in policy["hint"]
    cover = one(doc, domain=OWN, check="mta-sts", subject=f"{url} covers every MX")
    assert (cover["status"], cover["expected"], cover["found"]) == (
        "fail",
        [HOST],
        ["mx: mail.other.example"],
    )
    assert {(r["domain"], r["subject"]) for r in failing(doc)} == {
        (OWN, url),
        (OWN, f"{url} covers every MX"),
    }


def test_an_untrusted_certificate_fails(deployment: Deployment, monkeypatch: pytest.MonkeyPatch) -> None:
    stranger = LocalCA(deployment.ca.dir.parent / "other-ca", "another CA")
    monkeypatch.setenv("KOLAB_DNS_CA_BUNDLE", str(stranger.bundle))
    code, doc = deployment.check("--domain", OWN)
    assert code == 1
    (bad,) = failing(doc)
    assert (bad["domain"], bad["check"], bad["status"]) == (OWN, "mta-sts", "fail")
    assert "CERTIFICATE_VERIFY_FAILED" in bad["found"][0]
    assert deployment.web.requests == []  # nothing was fetched over an unverified connection


def test_foreign_values_at_owned_names(deployment: Deployment) -> None:
    deployment.replace(SECONDARY, "MX", f"10 {HOST}.", "20 mx2.klab.cc.")
    deployment.replace(OWN, "TXT", '"v=spf1 mx include:kolab.klab.cc -all"', '"site-verification=xyz"')
    code, doc = deployment.check()
    assert code == 1, failing(doc)
    (bad,) = failing(doc)  # the site-verification token in the shared apex TXT is not ours to judge
    assert (bad["domain"], bad["check"], bad["subject"], bad["status"]) == (
        SECONDARY,
        "foreign",
        f"{SECONDARY} MX",
        "different",
    )
    assert bad["found"] == [f"10 {HOST}.", "20 mx2.klab.cc."]
    assert "remove 20 mx2.klab.cc." in bad["hint"] and "`kolab-dns sync` removes it" in bad["hint"]


def test_a_cname_hiding_an_owned_name(deployment: Deployment) -> None:
    name = f"_imaps._tcp.{OWN}"
    deployment.server.patch_rrsets(
        OWN,
        [
            PowerDNS.rrset(name, "SRV", changetype="DELETE"),
            PowerDNS.rrset(name, "CNAME", [f"_imaps._tcp.{PRIMARY}."], 3600),
        ],
    )
    code, doc = deployment.check("--domain", OWN)
    assert code == 1
    (bad,) = failing(doc)
    assert (bad["check"], bad["subject"], bad["status"]) == ("foreign", f"{name} SRV", "different")
    assert bad["found"] == [f"CNAME _imaps._tcp.{PRIMARY}.", f"0 1 993 {HOST}."]
    assert "remove the CNAME" in bad["hint"]


def test_a_record_set_kolab_dns_never_published_needs_adopt(deployment: Deployment) -> None:
    """The hint follows the ownership marker, and agrees with what `plan` then does."""
    deployment.replace(f"_kolab-dns.{SECONDARY}", "TXT", '"kolab-dns/1 owns @/TXT"')
    deployment.replace(SECONDARY, "MX", "10 mx2.klab.cc.")
    code, doc = deployment.check("--domain", SECONDARY)
    assert code == 1
    (bad,) = failing(doc)
    assert (bad["check"], bad["subject"], bad["status"]) == ("record", f"{SECONDARY} MX", "different")
    assert (bad["expected"], bad["found"]) == ([f"10 {HOST}."], ["10 mx2.klab.cc."])
    assert "refuses to overwrite" in bad["hint"] and "--adopt" in bad["hint"]
    plan = deployment.repo.run("plan")
    assert plan.exit_code == 1 and "--adopt" in plan.stderr, plan.output


def test_an_unmanaged_domain_is_checked_and_domain_narrows(deployment: Deployment) -> None:
    deployment.delete(f"kolab-verify.{UNMANAGED}", "CNAME")
    code, doc = deployment.check("--domain", UNMANAGED)
    assert code == 1
    assert [d["domain"] for d in doc["domains"]] == [UNMANAGED]
    (bad,) = failing(doc)
    assert (bad["check"], bad["status"]) == ("kolab-verify", "missing")
    assert f"render --domain {UNMANAGED}" in bad["hint"]


def test_a_wrong_private_key_is_reported_without_printing_it(deployment: Deployment, tmp_path: Path) -> None:
    other = tmp_path / "other.key"
    other.write_bytes(dkim_keys.generate("ed25519").private)
    result = deployment.repo.run(
        "check", "--nameserver", deployment.nameserver, "--domain", PRIMARY, "--dkim-key", f"dkim1={other}"
    )
    assert result.exit_code == 1
    assert other.read_text().strip() not in result.output
    assert f"dkim1: private key {other}" in result.stdout


@pytest.mark.parametrize("how", ["no server", "refused"])
def test_dns_that_cannot_be_queried_exits_2(deployment: Deployment, how: str) -> None:
    if how == "no server":
        nameserver = f"127.0.0.1:{free_port('both')}"
    else:
        for zone in deployment.server.list_zones():
            deployment.server.delete_zone(zone)
        nameserver = deployment.nameserver
    result = deployment.repo.run("check", "--nameserver", nameserver, "--format", "json")
    assert result.exit_code == 2, result.output
    doc = json.loads(result.stdout)
    assert doc["exit_code"] == 2 and doc["summary"]["error"] >= 1
    # only the policy fetches succeed: the test aims them at the web server without DNS
    assert {r["subject"] for r in results(doc) if r["status"] != "error"} <= {
        f"https://mta-sts.{d}/.well-known/mta-sts.txt" for d in MTA_STS
    }


def test_a_second_nameserver_answers_what_the_first_refuses(deployment: Deployment) -> None:
    """The reverse zones move to the IP provider's server: the first server refuses those names,
    so only with the provider's server as a second `--nameserver` can FCrDNS be checked."""
    with PowerDNS() as provider:
        for zone in (REV4, REV6):
            deployment.server.delete_zone(zone)
            provider.create_zone(zone)
        for ip, zone in ((IPV4, REV4), (IPV6, REV6)):
            ptr = dns.reversename.from_address(ip).to_text()
            provider.patch_rrsets(zone, [PowerDNS.rrset(ptr, "PTR", [f"{HOST}."], 3600)])

        code, doc = deployment.check()
        assert code == 2
        refused = {r["subject"] for r in failing(doc)}
        assert {f"{IPV4} PTR", f"{IPV6} PTR"} <= refused
        assert all(r["status"] == "error" and "REFUSED" in r["found"][0] for r in failing(doc)), failing(doc)

        code, doc = deployment.check("--nameserver", f"127.0.0.1:{provider.dns_port}")
        assert failing(doc) == [] and code == 0
