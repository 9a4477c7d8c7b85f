"""Unit tests of `check --endpoints`'s pure parts: the STUN codec (RFC 5769's test vectors), the
autoconfig and autodiscover parsers, TLSA (openssl as the oracle), `warn` in results and report,
and the `tlsa` command's input errors. The probes themselves run against real servers in
tests/integration/test_endpoints.py.
"""

from __future__ import annotations

import datetime
import json
import socket
import subprocess
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from kolab_dns.check import report
from kolab_dns.check.endpoints import autoconfig, certs, stun
from kolab_dns.check.results import Result, Status, exit_code
from kolab_dns.cli import cli
from kolab_dns.records import tlsa

# RFC 5769 §2.2 and §2.3: the sample responses' transaction id and XOR-MAPPED-ADDRESS attributes.
RFC5769_ID = bytes.fromhex("b7e7a701bc34d686fa87dfae")
RFC5769_IPV4 = bytes.fromhex(
    "0101003c2112a442b7e7a701bc34d686fa87dfae"
    "8022000b7465737420766563746f7220"  # SOFTWARE "test vector"
    "002000080001a147e112a643"  # XOR-MAPPED-ADDRESS 192.0.2.1 port 32853
    "000800142b91f599fd9e90c38c7489f92af9ba53f06be7d7"  # MESSAGE-INTEGRITY
    "80280004c07d4c96"  # FINGERPRINT
)
RFC5769_IPV6_ATTR = bytes.fromhex("002000140002a1470113a9faa5d3f179bc25f4b5bed2b9d9")


def test_stun_request_is_the_rfc5389_header() -> None:
    assert stun.request(RFC5769_ID) == bytes.fromhex("000100002112a442") + RFC5769_ID


def test_stun_rfc5769_sample_responses_decode() -> None:
    assert stun.parse_response(RFC5769_IPV4, RFC5769_ID) == "192.0.2.1:32853"
    ipv6 = (
        bytes.fromhex("0101")
        + len(RFC5769_IPV6_ATTR).to_bytes(2, "big")
        + RFC5769_IPV4[4:20]
        + RFC5769_IPV6_ATTR
    )
    assert stun.parse_response(ipv6, RFC5769_ID) == "[2001:db8:1234:5678:11:2233:4455:6677]:32853"


def test_stun_ignores_what_is_not_our_answer() -> None:
    assert stun.parse_response(RFC5769_IPV4, bytes(12)) is None  # another transaction
    assert stun.parse_response(b"\x01\x11" + RFC5769_IPV4[2:], RFC5769_ID) is None  # an error response
    assert stun.parse_response(RFC5769_IPV4[:10], RFC5769_ID) is None


def test_stun_to_a_closed_port_says_so() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(stun.StunError, match="ICMP port unreachable"):
        stun.binding("127.0.0.1", port, waits=(0.5,))


THUNDERBIRD = """<?xml version="1.0"?>
<clientConfig version="1.1"><emailProvider id="a.example">
  <incomingServer type="imap"><hostname>Mail.A.example</hostname><port>{imap}</port><socketType>{sock}</socketType></incomingServer>
  <incomingServer type="pop3"><hostname>pop.a.example</hostname><port>995</port><socketType>SSL</socketType></incomingServer>
  <outgoingServer type="smtp"><hostname>{smtp}</hostname><port>587</port><socketType>STARTTLS</socketType></outgoingServer>
</emailProvider></clientConfig>"""


def test_thunderbird_autoconfig_names_the_servers() -> None:
    servers = autoconfig.thunderbird(THUNDERBIRD.format(imap=993, sock="SSL", smtp="mail.a.example").encode())
    assert [str(s) for s in servers] == ["imap mail.a.example 993 SSL", "smtp mail.a.example 587 STARTTLS"]
    assert autoconfig.wrong(servers, "mail.a.example") == []


@pytest.mark.parametrize(
    ("imap", "sock", "smtp", "problem"),
    [
        (143, "SSL", "mail.a.example", "imap mail.a.example 143 SSL: port 143 needs STARTTLS"),
        (110, "plain", "mail.a.example", "Kolab serves no IMAP on port 110"),
        (993, "SSL", "smtp.elsewhere.example", "smtp smtp.elsewhere.example 587 STARTTLS: the server is not"),
    ],
)
def test_thunderbird_autoconfig_mistakes_are_named(imap: int, sock: str, smtp: str, problem: str) -> None:
    servers = autoconfig.thunderbird(THUNDERBIRD.format(imap=imap, sock=sock, smtp=smtp).encode())
    assert any(problem in p for p in autoconfig.wrong(servers, "mail.a.example"))


def test_documents_that_do_not_parse() -> None:
    with pytest.raises(autoconfig.ConfigError, match="not XML"):
        autoconfig.thunderbird(b"<html><body>oops")
    with pytest.raises(autoconfig.ConfigError, match="root element is <html>"):
        autoconfig.thunderbird(b"<html/>")
    assert autoconfig.wrong([], "mail.a.example") == ["no IMAP server", "no SMTP server"]


OUTLOOK = """<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006">
 <Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a">
  <Account><Protocol><Type>IMAP</Type><Server>mail.a.example</Server><Port>993</Port><SSL>on</SSL></Protocol>
  <Protocol><Type>SMTP</Type><Server>mail.a.example</Server><Port>587</Port><Encryption>TLS</Encryption></Protocol>
  <Protocol><Type>SMTP</Type><Server>mail.a.example</Server><Port>25</Port><SSL>off</SSL></Protocol></Account>
 </Response></Autodiscover>"""


def test_outlook_autodiscover_names_the_servers() -> None:
    servers = autoconfig.outlook(OUTLOOK.encode())
    assert [str(s) for s in servers] == [
        "imap mail.a.example 993 (security unspecified)",
        "smtp mail.a.example 587 STARTTLS",
        "smtp mail.a.example 25 plain",
    ]
    assert autoconfig.wrong(servers, "mail.a.example") == [
        "smtp mail.a.example 25 plain: Kolab serves no SMTP on port 25"
    ]
    error = b"<Autodiscover><Response><Error><ErrorCode>600</ErrorCode><Message>Invalid Request</Message></Error></Response></Autodiscover>"
    with pytest.raises(autoconfig.ConfigError, match="an error response: Invalid Request"):
        autoconfig.outlook(error)


def _certificate(tmp_path: Path, days: float = 30) -> tuple[x509.Certificate, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "mail.a.example")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=days))
        .sign(key, hashes.SHA256())
    )
    path = tmp_path / "cert.pem"
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return cert, path


def _openssl(*args: str, data: bytes | None = None) -> bytes:
    return subprocess.run(["openssl", *args], input=data, capture_output=True, check=True).stdout


def test_tlsa_association_data_equals_openssls(tmp_path: Path) -> None:
    cert, path = _certificate(tmp_path)
    der = _openssl("x509", "-in", str(path), "-outform", "DER")
    spki = _openssl(
        "pkey", "-pubin", "-outform", "DER", data=_openssl("x509", "-in", str(path), "-pubkey", "-noout")
    )
    sha256 = _openssl("dgst", "-sha256", "-r", data=spki).split()[0].decode()
    assert str(tlsa.dane_ee(cert)) == f"3 1 1 {sha256}"
    assert tlsa.association(cert, 0, 2) == _openssl("dgst", "-sha512", "-r", data=der).split()[0].decode()
    assert tlsa.association(cert, 0, 0) == der.hex()
    assert certs.load_certificate(der) == cert == certs.load_certificate(path.read_bytes())


def test_tlsa_records_match_by_usage_selector_and_type(tmp_path: Path) -> None:
    cert, _ = _certificate(tmp_path)
    digest = tlsa.association(cert, 1, 1)
    assert tlsa.matches(tlsa.parse(f"3 1 1 {digest[:20]} {digest[20:].upper()}"), cert) is True
    assert tlsa.matches(tlsa.parse(f"3 0 1 {digest}"), cert) is False  # the same hash of another selector
    assert tlsa.matches(tlsa.parse(f"2 0 1 {digest}"), cert) is None  # a trust anchor: the chain's business
    with pytest.raises(ValueError, match="not hex"):
        tlsa.parse("3 1 1 xyz")
    assert tlsa.tlsa_name("mail.a.example.") == "_25._tcp.mail.a.example"


def test_days_left(tmp_path: Path) -> None:
    cert, _ = _certificate(tmp_path, days=20.5)
    assert certs.days_left(cert) == 20 and certs.names(cert) == ("mail.a.example",)


def test_warn_passes_but_shows_in_the_report() -> None:
    ok = Result("a.example", "smtp", "a.example:25 TLS", Status.OK)
    warned = Result("a.example", "smtp", "a.example:25 TLS", Status.WARN, ("x",), ("y",), "fix it")
    bad = Result("b.example", "record", "b.example MX", Status.MISSING, ("10 mx.",), ())
    assert exit_code([ok, warned]) == 0 and exit_code([warned, bad]) == 1
    text = click.unstyle(report.text([ok, warned, bad]))
    assert text.splitlines()[:2] == [
        "WARN a.example: 1 of 2 checks warn",
        "  warn      smtp         a.example:25 TLS",
    ]
    assert "FAIL b.example: 1 of 1 checks do not pass" in text
    doc = json.loads(report.as_json([ok, warned, bad]))
    assert [d["status"] for d in doc["domains"]] == ["warn", "fail"] and doc["summary"]["warn"] == 1


def test_tlsa_command_input_errors(repo: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    none = runner.invoke(cli, ["-C", str(repo), "tlsa"])
    assert none.exit_code == 2 and "give CERT.pem or --from-endpoint" in none.output
    missing = runner.invoke(cli, ["-C", str(repo), "tlsa", str(tmp_path / "nope.pem")])
    assert (
        missing.exit_code == 1
        and missing.stderr.startswith("kolab-dns: error: ")
        and "nope.pem" in missing.stderr
    )
    junk = tmp_path / "junk.pem"
    junk.write_text("-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n")
    bad = runner.invoke(cli, ["-C", str(repo), "tlsa", str(junk)])
    assert bad.exit_code == 1 and "not a PEM or DER certificate" in bad.stderr
    port = runner.invoke(cli, ["-C", str(repo), "tlsa", "--from-endpoint", "mail.a.example:8080"])
    assert port.exit_code == 2 and "the port must be one of 25, 143, 443, 465, 587, 993, 4190" in port.output
    _, cert = _certificate(tmp_path)
    ok = runner.invoke(cli, ["-C", str(repo), "tlsa", str(cert)])
    assert ok.exit_code == 0 and ok.stdout.startswith("_25._tcp.kolab.klab.cc. IN TLSA 3 1 1 ")
