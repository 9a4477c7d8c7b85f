"""Unit tests of `check`'s pure parts: policy parsing, tag lists, results, report, options.

The checks themselves run against real PowerDNS in tests/integration/test_check.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest

from kolab_dns import dkim as dkim_keys
from kolab_dns import records
from kolab_dns.check import report
from kolab_dns.check.https import HttpsSettings
from kolab_dns.check.records import check_of
from kolab_dns.check.resolver import parse_nameserver
from kolab_dns.check.results import Result, Status, exit_code
from kolab_dns.declaration import load
from kolab_dns.dkim import public_of
from kolab_dns.errors import KolabDnsError
from kolab_dns.records import tags
from kolab_dns.records.mta_sts import Policy, PolicyError

from .conftest import EXAMPLE

parse_policy = Policy.parse


def test_policy_parses_crlf_and_lf_first_field_wins_unknown_ignored() -> None:
    text = "version: STSv1\r\nmode: enforce\nmode: none\r\nmx: A.example.\nmx: *.b.example\nextra: x\nmax_age: 86400\n"
    assert parse_policy(text) == Policy("STSv1", "enforce", 86400, ("a.example", "*.b.example"))


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("mode: enforce\nmx: a.example\nmax_age: 1\n", "version"),
        ("version: STSv1\nmode: enforced\nmx: a.example\nmax_age: 1\n", "mode"),
        ("version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 31557601\n", "max_age"),
        ("version: STSv1\nmode: enforce\nmax_age: 1\n", "mx"),
        ("version: STSv1\nmode enforce\n", "key: value"),
    ],
)
def test_bad_policies_say_what_is_wrong(text: str, problem: str) -> None:
    with pytest.raises(PolicyError, match=problem):
        parse_policy(text)


def test_mode_none_needs_no_mx() -> None:
    assert parse_policy("version: STSv1\nmode: none\nmax_age: 0\n").mx == ()


def test_tags_compare_by_tag_not_text() -> None:
    declared = tags.parse("v=DMARC1; p=quarantine; adkim=s")
    assert tags.differences(declared, tags.parse("v=DMARC1;adkim=s;  p=quarantine")) == []
    assert tags.differences(declared, tags.parse("v=DMARC1; p=none")) == [
        "p: quarantine expected, none found",
        "adkim: s expected, absent found",
    ]
    assert tags.parse("v=DKIM1; p=AB CD\tEF")["p"] == "ABCDEF"


@pytest.mark.parametrize(
    ("value", "parsed"),
    [
        ("127.0.0.1", ("127.0.0.1", 53)),
        ("127.0.0.1:5300", ("127.0.0.1", 5300)),
        ("[::1]:5353", ("::1", 5353)),
        ("::1", ("::1", 53)),
    ],
)
def test_nameserver_forms(value: str, parsed: tuple[str, int]) -> None:
    assert parse_nameserver(value) == parsed


@pytest.mark.parametrize("port", ["99999", "٥٣", "9" * 5000, "0", "-1"])
def test_nameserver_bad_port(port: str) -> None:
    with pytest.raises(KolabDnsError, match="not a port"):
        parse_nameserver(f"127.0.0.1:{port}")


def test_exit_codes() -> None:
    ok = Result("a.example", "record", "a.example MX", Status.OK)
    bad = Result("a.example", "record", "a.example MX", Status.MISSING)
    err = Result("a.example", "spf", "192.0.2.1", Status.ERROR)
    assert exit_code([ok]) == 0
    assert exit_code([ok, bad]) == 1
    assert exit_code([ok, bad, err]) == 2


def test_each_record_family_has_one_check(tmp_path: Path) -> None:
    zones = "zones:\n  79.254.185.in-addr.arpa: local\n  reports.example: local"
    text = (
        EXAMPLE.read_text()
        .replace("zones:", zones, 1)
        .replace("admin@kolab.klab.cc", "dmarc@reports.example")
    )
    text = text.replace("kolab_verify: false", "kolab_verify: true")
    (tmp_path / "kolab.yaml").write_text(text)
    decl = load(str(tmp_path / "kolab.yaml"))
    judged = {(rs.name, rs.type): check_of(rs) for rs in records.expand(decl)}
    assert judged["kolab.klab.cc", "MX"] == "record"
    assert judged["_imaps._tcp.kolab.klab.cc", "SRV"] == "record"
    assert judged["mta-sts.kolab.klab.cc", "CNAME"] == "record"
    assert judged["dkim1._domainkey.kolab.klab.cc", "TXT"] == "dkim"
    assert judged["dkim1._domainkey.kolab-secondary.klab.cc", "CNAME"] == "dkim"
    assert judged["_dmarc.kolab.klab.cc", "TXT"] == "dmarc"
    assert judged["_smtp._tls.kolab.klab.cc", "TXT"] == "tls-rpt"
    assert judged["_mta-sts.kolab.klab.cc", "TXT"] == "mta-sts"
    assert judged["kolab-verify.kolab-secondary.klab.cc", "CNAME"] == "kolab-verify"
    assert judged["10.79.254.185.in-addr.arpa", "PTR"] == "fcrdns"
    assert judged["kolab.klab.cc._report._dmarc.reports.example", "TXT"] == "dmarc"
    assert set(judged.values()) == {"record", "dkim", "dmarc", "tls-rpt", "mta-sts", "kolab-verify", "fcrdns"}


RESULTS = [
    Result("a.example", "record", "a.example MX", Status.OK, ("10 mx.a.example.",), ("10 mx.a.example.",)),
    Result("a.example", "spf", "192.0.2.10", Status.FAIL, ("pass",), ("fail",), "authorise 192.0.2.10"),
    Result("b.example", "record", "b.example MX", Status.OK, ("10 mx.a.example.",), ("10 mx.a.example.",)),
]


def test_text_report_groups_by_domain_and_folds_passing_checks() -> None:
    styled = report.text(RESULTS)
    assert "\x1b[31m" in styled  # colour; click.echo drops it unless stdout is a terminal
    text = click.unstyle(styled)
    assert text.splitlines()[:7] == [
        "FAIL a.example: 1 of 2 checks do not pass",
        "  fail      spf          192.0.2.10",
        "      expected: pass",
        "      found:    fail",
        "      fix:      authorise 192.0.2.10",
        "  ok        1 more pass (record)",
        "PASS b.example: all 1 checks pass (record)",
    ]
    assert text.endswith("2 domains, 3 checks: 2 ok, 1 fail\n")


def test_json_report() -> None:
    doc = json.loads(report.as_json(RESULTS))
    assert doc["exit_code"] == 1
    assert doc["summary"] == {
        "domains": 2,
        "checks": 3,
        "ok": 2,
        "warn": 0,
        "missing": 0,
        "different": 0,
        "fail": 1,
        "error": 0,
    }
    assert [d["status"] for d in doc["domains"]] == ["fail", "ok"]
    assert doc["domains"][0]["results"][1] == {
        "domain": "a.example",
        "check": "spf",
        "subject": "192.0.2.10",
        "status": "fail",
        "expected": ["pass"],
        "found": ["fail"],
        "hint": "authorise 192.0.2.10",
    }


def test_https_settings_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KOLAB_DNS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("KOLAB_DNS_HTTPS_CONNECT", raising=False)
    assert HttpsSettings.from_env() == HttpsSettings(None, None)
    monkeypatch.setenv("KOLAB_DNS_CA_BUNDLE", "/tmp/ca.pem")
    monkeypatch.setenv("KOLAB_DNS_HTTPS_CONNECT", "[::1]:8443")
    assert HttpsSettings.from_env() == HttpsSettings("/tmp/ca.pem", ("::1", 8443))


@pytest.mark.parametrize("algorithm", ["rsa", "ed25519"])
def test_private_key_files_give_the_public_half_dkim_new_published(algorithm: str, tmp_path: Path) -> None:
    pair = dkim_keys.generate(algorithm, 1024)
    path = tmp_path / "s1.key"
    path.write_bytes(pair.private)
    assert public_of(str(path)) == (algorithm, pair.public)


def test_a_file_that_is_no_private_key_is_refused_without_echoing_it(tmp_path: Path) -> None:
    path = tmp_path / "s1.key"
    path.write_text("SECRET-MATERIAL-123")
    with pytest.raises(KolabDnsError, match="not an unencrypted RSA or ed25519 private key") as e:
        public_of(str(path))
    assert "SECRET-MATERIAL-123" not in str(e.value)
