"""Validation: every problem is one DeclarationError naming file, line and key."""

from __future__ import annotations

import pytest

from kolab_dns.declaration import parse
from kolab_dns.errors import DeclarationError
from kolab_dns.located import load_text

from .conftest import EXAMPLE

GOOD = EXAMPLE.read_text()


def error_for(text: str) -> DeclarationError:
    with pytest.raises(DeclarationError) as info:
        parse(load_text(text, "zones/kolab.yaml"))
    return info.value


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


CASES = [
    (
        "typo in a key",
        GOOD.replace("  hostname:", "  hostnme:"),
        "kolab.hostnme",
        "did you mean 'hostname'",
        "hostnme",
    ),
    ("unknown top key", GOOD + "secondry: []\n", "secondry", "did you mean 'secondary'", "secondry"),
    ("bad ipv4", GOOD.replace("185.254.79.10", "185.254.79.300"), "kolab.ipv4", "not an IPv4", "ipv4"),
    ("v6 in ipv4", GOOD.replace("[185.254.79.10]", "['2001:db8::1']"), "kolab.ipv4", "not an IPv4", "ipv4"),
    (
        "bad name",
        GOOD.replace("- kolab-secondary.klab.cc", "- bad_name.example"),
        "secondary[0]",
        "letters",
        "bad_name",
    ),
    (
        "long label",
        GOOD.replace("- kolab-secondary.klab.cc", f"- {'a' * 64}.example"),
        "secondary[0]",
        "longer than 63",
        "aaaa",
    ),
    (
        "duplicate",
        GOOD.replace("- kolab-secondary.klab.cc", "- kolab-secondary.klab.cc\n  - KOLAB-secondary.klab.cc."),
        "secondary[1]",
        "duplicate domain",
        "KOLAB-secondary",
    ),
    (
        "secondary equals primary",
        GOOD.replace("- kolab-secondary.klab.cc", "- kolab.klab.cc"),
        "secondary[0]",
        "primary domain",
        "  - kolab.klab.cc",
    ),
    ("dkim garbage", GOOD.replace("dkim1: MIIB", "dkim1: x%%MIIB"), "kolab.dkim.dkim1", "DKIM key", "dkim1:"),
    ("dkim short", GOOD.replace("dkim1: MIIB", "dkim1: QUJD"), "kolab.dkim.dkim1", "DKIM key", "dkim1:"),
    (
        "policy mode typo",
        GOOD.replace("mode: enforce", "mode: enforcee"),
        "kolab.mta_sts.mode",
        "did you mean 'enforce'",
        "mta_sts:",
    ),
    (
        "dmarc p typo",
        GOOD.replace("p: quarantine", "p: quarantin"),
        "kolab.dmarc.p",
        "expected one of",
        "dmarc:",
    ),
    ("ttl type", GOOD.replace("ttl: 3600", "ttl: an hour"), "kolab.ttl", "expected a TTL", "ttl:"),
    (
        "zone listed twice",
        GOOD.replace("  klab.cc: local", "  klab.cc: local\n  KLAB.cc: local"),
        "zones.KLAB.cc",
        "listed twice",
        "KLAB.cc",
    ),
    (
        "zone not containing its domain",
        GOOD.replace("- kolab-secondary.klab.cc", "- other.example: {zone: klab.cc}"),
        "secondary[0].zone",
        "does not contain",
        "other.example",
    ),
    (
        "yaml syntax",
        GOOD.replace("primary: kolab.klab.cc", "primary: [kolab.klab.cc"),
        "primary",
        "YAML syntax error",
        "primary: [",
    ),
    ("duplicate yaml key", GOOD + "primary: x.example\n", "primary", "duplicate key", "primary: x.example"),
    (
        "enforce without hostname",
        GOOD.replace("max_age: 604800}", "max_age: 604800, mx: [mx.other.example]}"),
        "kolab.mta_sts.mx",
        "would refuse to deliver",
        "mta_sts:",
    ),
]


@pytest.mark.parametrize(
    ("text", "key", "message", "needle"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_each_problem_names_file_line_and_key(
    text: str, key: str | None, message: str, needle: str | None
) -> None:
    err = error_for(text)
    assert err.file == "zones/kolab.yaml"
    assert message in err.message
    assert err.key == key
    if needle:
        assert err.line == line_of(text, needle)
    else:
        assert err.line
    assert "\n" not in str(err)
    assert str(err).startswith(f"zones/kolab.yaml:{err.line}: ")


def test_hostname_defaults_to_primary() -> None:
    decl = parse(load_text(GOOD.replace("  hostname: kolab.klab.cc", ""), "x.yaml"))
    assert decl.deployment.hostname == "kolab.klab.cc"


def test_small_rsa_key_warns_and_tiny_one_fails() -> None:
    import base64

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    def spki(bits: int) -> str:
        key = rsa.generate_private_key(public_exponent=65537, key_size=bits).public_key()
        der = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        return base64.b64encode(der).decode()

    decl = parse(load_text(GOOD.replace("dkim1: MIIB", f"dkim0: {spki(1024)}\n    dkim1: MIIB"), "x.yaml"))
    assert any("dkim0: 1024-bit RSA key" in w for w in decl.warnings)
    # A 512-bit modulus, DER by hand: cryptography refuses to generate one.
    n = (1 << 511) | 0x10001
    body = b"\x02\x41\x00" + n.to_bytes(64, "big") + b"\x02\x03\x01\x00\x01"
    tiny = base64.b64encode(b"\x30" + bytes([len(body)]) + body).decode()
    err = error_for(GOOD.replace("dkim1: MIIB", f"dkim0: {tiny}\n    dkim1: MIIB"))
    assert err.key == "kolab.dkim.dkim0" and "512-bit" in err.message


def test_overrides_and_own_zones() -> None:
    text = GOOD.replace(
        "- kolab-secondary.klab.cc", "- kolab-secondary.klab.cc\n  - customer.org: {provider: cf}"
    )
    decl = parse(load_text(text, "x.yaml"))
    assert decl.zone_providers() == {"klab.cc": "local", "customer.org": "cf"}
    err = error_for(GOOD.replace("- kolab-secondary.klab.cc", "- kolab-secondary.klab.cc: {provider: cf}"))
    assert err.key == "secondary[0].provider" and "lies in zone" in err.message


def test_a_base64_key_starting_with_a_slash_is_a_key_not_a_path() -> None:
    """1 in 64 ed25519 keys `dkim new` prints begins with '/' (base64 of a first byte >= 0xfc)."""
    import base64

    key = base64.b64encode(bytes([0xFC] + [1] * 31)).decode()
    assert key.startswith("/")
    line = next(x for x in GOOD.splitlines() if "dkim1:" in x)
    decl = parse(load_text(GOOD.replace(line, f"    dkim1: {key}"), "zones/kolab.yaml"))
    (dkim,) = decl.deployment.dkim
    assert (dkim.algorithm, dkim.public_key) == ("ed25519", key)


def test_an_explicit_zone_must_be_the_closest_listed_zone() -> None:
    nested = GOOD.replace("  klab.cc: local", "  klab.cc: local\n  sub.klab.cc: local")
    decl = parse(
        load_text(nested.replace("- kolab-secondary.klab.cc", "- a.sub.klab.cc: {zone: sub.klab.cc}"), "x")
    )
    assert decl.domain("a.sub.klab.cc").zone == "sub.klab.cc"
    err = error_for(nested.replace("- kolab-secondary.klab.cc", "- a.sub.klab.cc: {zone: klab.cc}"))
    assert err.key == "secondary[0].zone" and "lies in the listed zone 'sub.klab.cc'" in err.message
