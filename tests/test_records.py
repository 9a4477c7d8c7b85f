"""Each record family on its own, from declarations built in the test."""

from __future__ import annotations

import pytest

from kolab_dns import records, validate
from kolab_dns.declaration import Declaration, parse
from kolab_dns.located import load_text
from kolab_dns.records.mta_sts import policy_id, policy_text
from kolab_dns.recordset import CAA, MX, SRV, TLSA

BASE = """
kolab:
  hostname: mail.example.com
  ipv4: [192.0.2.10]
  ipv6: ['2001:db8::10']
  reports: dmarc@example.com
  dmarc: {p: reject}
  mta_sts: {mode: testing, max_age: 86400}
  ttl: 600
zones: {example.com: local}
primary: example.com
secondary:
  - customer.org
"""


def make(text: str = BASE, **replace: str) -> Declaration:
    for old, new in replace.items():
        text = text.replace(old, new)
    return parse(load_text(text, "test.yaml"))


def find(decl: Declaration, name: str, rtype: str):
    matches = [r for r in records.expand(decl) if r.name == name and r.type == rtype]
    assert len(matches) == 1, (name, rtype, matches)
    return matches[0]


def test_host_addresses_include_aaaa_when_ipv6_is_given() -> None:
    decl = make()
    assert find(decl, "mail.example.com", "A").values == ("192.0.2.10",)
    assert find(decl, "mail.example.com", "AAAA").values == ("2001:db8::10",)
    assert not [
        r for r in records.expand(make(BASE.replace("  ipv6: ['2001:db8::10']\n", ""))) if r.type == "AAAA"
    ]


def test_mx_and_spf_primary_and_secondary() -> None:
    decl = make()
    assert find(decl, "example.com", "MX").values == (MX(10, "mail.example.com."),)
    assert find(decl, "example.com", "TXT").values == (
        "v=spf1 mx a:mail.example.com mx:mail.example.com -all",
    )
    assert find(decl, "customer.org", "MX").values == (MX(10, "mail.example.com."),)
    assert find(decl, "customer.org", "TXT").values == ("v=spf1 mx include:example.com -all",)


def test_dmarc_and_tlsrpt_use_the_report_address() -> None:
    decl = make()
    assert find(decl, "_dmarc.customer.org", "TXT").values == (
        "v=DMARC1; p=reject; rua=mailto:dmarc@example.com; ruf=mailto:dmarc@example.com",
    )
    assert find(decl, "_smtp._tls.example.com", "TXT").values == ("v=TLSRPTv1; rua=mailto:dmarc@example.com",)


def test_without_reports_there_is_no_tlsrpt_and_no_rua() -> None:
    decl = make(BASE.replace("  reports: dmarc@example.com\n", ""))
    assert find(decl, "_dmarc.example.com", "TXT").values == ("v=DMARC1; p=reject",)
    assert not [r for r in records.expand(decl) if r.name.startswith("_smtp._tls")]


def test_srv_table_and_autodiscover_only_on_primary() -> None:
    decl = make()
    assert find(decl, "_submission._tcp.customer.org", "SRV").values == (SRV(0, 1, 587, "mail.example.com."),)
    assert find(decl, "_sieve._tcp.example.com", "SRV").values == (SRV(0, 0, 4190, "mail.example.com."),)
    assert len([r for r in records.expand(decl) if r.type == "SRV"]) == 22
    assert find(decl, "autodiscover.example.com", "CNAME").values == ("mail.example.com.",)
    assert not [r for r in records.expand(decl) if r.name == "autodiscover.customer.org"]


def test_mta_sts_on_primary_only_unless_asked() -> None:
    decl = make()
    text = policy_text(decl)
    assert text == "version: STSv1\r\nmode: testing\r\nmx: mail.example.com\r\nmax_age: 86400\r\n"
    assert find(decl, "_mta-sts.example.com", "TXT").values == (f"v=STSv1; id={policy_id(text)};",)
    assert find(decl, "mta-sts.example.com", "CNAME").values == ("mail.example.com.",)
    assert not [r for r in records.expand(decl) if "mta-sts" in r.name and r.domain == "customer.org"]
    asked = make(BASE.replace("  - customer.org", "  - customer.org: {mta_sts: true}"))
    assert find(asked, "_mta-sts.customer.org", "TXT").values == (f"v=STSv1; id={policy_id(text)};",)
    assert find(asked, "mta-sts.customer.org", "CNAME").values == ("mail.example.com.",)


def test_mta_sts_id_changes_exactly_with_the_policy() -> None:
    a = policy_id(policy_text(make()))
    assert a == policy_id(policy_text(make(BASE.replace("ttl: 600", "ttl: 900"))))
    assert a != policy_id(policy_text(make(BASE.replace("max_age: 86400", "max_age: 86401"))))
    assert a != policy_id(policy_text(make(BASE.replace("mode: testing", "mode: enforce"))))
    assert 1 <= len(a) <= 32 and a.isalnum()


def test_dkim_txt_on_primary_cname_on_secondary(ed25519_key: str) -> None:
    decl = make(BASE.replace("  ttl: 600", f"  ttl: 600\n  dkim:\n    ed1: {ed25519_key}"))
    assert find(decl, "ed1._domainkey.example.com", "TXT").values == (f"v=DKIM1; k=ed25519; p={ed25519_key}",)
    assert find(decl, "ed1._domainkey.customer.org", "CNAME").values == ("ed1._domainkey.example.com.",)


def test_caa_at_the_host_name_with_iodef_to_the_report_address() -> None:
    decl = make(BASE.replace("  ttl: 600", "  ttl: 600\n  caa: [letsencrypt.org, Sectigo.com]"))
    assert find(decl, "mail.example.com", "CAA").values == (
        CAA(0, "issue", "letsencrypt.org"),
        CAA(0, "issue", "sectigo.com"),
        CAA(0, "iodef", "mailto:dmarc@example.com"),
    )
    assert [r.name for r in records.expand(decl) if r.type == "CAA"] == ["mail.example.com"]
    assert str(CAA(0, "issue", "letsencrypt.org")) == '0 issue "letsencrypt.org"'
    assert not [r for r in records.expand(make()) if r.type == "CAA"]


def test_tlsa_at_port_25_of_the_host_name() -> None:
    digest = "0123456789abcdef" * 4
    decl = make(
        BASE.replace("  ttl: 600", f"  ttl: 600\n  tlsa: ['3 1 1 {digest.upper()}', '2 0 2 {'ab' * 64}']")
    )
    rs = find(decl, "_25._tcp.mail.example.com", "TLSA")
    assert rs.values == (TLSA(3, 1, 1, digest), TLSA(2, 0, 2, "ab" * 64))
    assert str(rs.values[0]) == f"3 1 1 {digest}"
    assert any("DNSSEC-signed" in w for w in validate.warnings(decl))
    assert not [r for r in records.expand(make()) if r.type == "TLSA"]
    assert not [w for w in validate.warnings(make()) if "DNSSEC" in w]


def test_idna_domains_are_published_in_punycode() -> None:
    decl = make(BASE.replace("  - customer.org", "  - bücher.example"))
    assert find(decl, "xn--bcher-kva.example", "MX")
    assert "xn--bcher-kva.example" in decl.zone_providers()


def test_domains_go_into_the_longest_listed_zone() -> None:
    decl = make(
        BASE.replace(
            "zones: {example.com: local}", "zones: {example.com: local, sub.example.com: local}"
        ).replace("  - customer.org", "  - a.sub.example.com\n  - b.example.com")
    )
    zones = records.by_zone(decl, records.expand(decl))
    assert {r.name for r in zones["sub.example.com"]} >= {"a.sub.example.com", "_dmarc.a.sub.example.com"}
    assert "b.example.com" in {r.name for r in zones["example.com"]}


@pytest.fixture
def ed25519_key() -> str:
    import base64

    return base64.b64encode(bytes(range(32))).decode()


def test_kolab_verify_cname_for_secondaries_on_by_default() -> None:
    import hashlib

    decl = make()
    digest = hashlib.md5(b"hkccp-verify-customer.org").hexdigest()
    assert find(decl, "kolab-verify.customer.org", "CNAME").values == (f"{digest}.customer.org.",)
    assert not [r for r in records.expand(decl) if r.name == "kolab-verify.example.com"]
    off = make(BASE.replace("  - customer.org", "  - customer.org: {kolab_verify: false}"))
    assert not [r for r in records.expand(off) if r.name.startswith("kolab-verify.")]
    off_everywhere = make(BASE.replace("  ttl: 600", "  ttl: 600\n  kolab_verify: false"))
    assert not [r for r in records.expand(off_everywhere) if r.name.startswith("kolab-verify.")]
