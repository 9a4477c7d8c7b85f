"""Key by key: a value of the wrong shape is refused at its own place, never deeper down.

For every key of a declaration that uses them all, hypothesis puts values of the wrong shape there:
other types, and the strings the standard library, idna, base64, cryptography or dnspython refuse
(or, worse, accept and fail on later: `fe80::1%eth0`). The declaration is then taken as far as a
command takes it (load, the cross-section checks and warnings, the expansion, the renderers and
octoDNS's own record validation). Either all of that succeeds, or one DeclarationError names this
key (or a key that depends on it, such as the MTA-STS mx patterns on the hostname) and a line where
that key or one of its items is written.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from octodns.zone import Zone

from kolab_dns import declaration, deployment, dkim, located, records, validate, zonefile
from kolab_dns.errors import DeclarationError
from kolab_dns.located import Doc, LDict, LList, load_text
from kolab_dns.network import iptables, metallb, nftables
from kolab_dns.network import parse as network_parse
from kolab_dns.octo.source import KolabSource

from .trees import replace, scalars, trees

FILE = "zones/kolab.yaml"
SHIPPED = (Path(__file__).resolve().parents[2] / "zones" / "kolab.yaml").read_text(encoding="utf-8")
RSA_KEY = next(line.split(": ", 1)[1] for line in SHIPPED.splitlines() if "dkim1:" in line)
ED25519_KEY = base64.b64encode(bytes(range(32))).decode()

#: A declaration that uses every key there is, so each can be broken in turn.
BASE: dict[str, Any] = {
    "kolab": {
        "hostname": "mail.klab.cc",
        "ipv4": ["185.254.79.10", "203.0.113.1"],
        "ipv6": ["2a00:1450::1"],
        "reports": "admin@klab.cc",
        "dkim": {"dkim1": RSA_KEY, "ed1": ED25519_KEY},
        "dmarc": {"p": "quarantine", "sp": "reject", "adkim": "s", "aspf": "r", "pct": 100, "fo": "1"},
        "mta_sts": {
            "mode": "enforce",
            "max_age": 604800,
            "mx": ["mail.klab.cc", "*.klab.cc"],
            "secondaries": True,
        },
        "ttl": 3600,
        "nameservers": ["ns1.klab.cc", "ns2.example.net"],
        "kolab_verify": True,
        "spf": ["ip4:192.0.2.0/24", "ip6:2001:db8::/32", "include:_spf.example.net"],
        "report_authorization": "per-domain",
        "caa": ["letsencrypt.org"],
        "tlsa": ["3 1 1 " + "0123456789abcdef" * 4, "2 0 2 " + "ab" * 64],
    },
    "zones": {"klab.cc": "local", "79.254.185.in-addr.arpa": "local", "other.example": "local"},
    "default_provider": "local",
    "primary": "klab.cc",
    "secondary": [
        "kolab-secondary.klab.cc",
        {"customer.example": {"provider": "local", "managed": True, "mta_sts": False, "kolab_verify": True}},
        {"sub.other.example": {"zone": "other.example", "provider": "local"}},
    ],
    "network": {
        "public": "203.0.113.1",
        "interface": "kext+",
        "internal": "10.0.1.0/24",
        "services": {"http": "10.0.1.1", "smtp": "10.0.1.2", "proxy": "10.0.1.3", "turn": "10.0.1.4"},
        "webrtc_ports": "44444-44446",
        "single_node": False,
    },
}


def _keys(tree: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every path below the top level, as tuples of mapping keys and list indexes."""
    items = tree.items() if isinstance(tree, dict) else enumerate(tree) if isinstance(tree, list) else ()
    for k, v in items:
        yield (*path, k)
        yield from _keys(v, (*path, k))


KEYS = list(_keys(BASE))

# --- values of the wrong shape -----------------------------------------------------------------------

SCALARS = scalars(st.dates())
TREES = trees(SCALARS, size=3, max_leaves=8)
ADDRESSES = [
    "fe80::1%eth0", "fe80::1%", "fe80::1%25eth0", "1.2.3.4%0", "::ffff:192.0.2.1", "::", "0.0.0.0",
    "192.0.2.0/24", "2001:db8::/32", "[2001:db8::1]", "01.2.3.4", "1.2.3", "1.2.3.4.5", "2001:db8:::1",
    "2001:db8::1:2:3:4:5:6:7", "１.２.３.４", "3232235777", "0x7f.1", "::1.2.3.4.5",
]  # fmt: skip
NAMES = [
    "xn--", "xn--a", "xn--zz-xxx.test", "ü.example", "a..b", "-a.b", "a-.b", "a" * 64 + ".b",
    "*.x.example", "_x.example", "x.example.", "x .example", "\u200d.example", "ß.de", "\x00.example",
    "١٢.example", "a.123", "xn--bcher-kva.example", "Bücher.example", "x" * 250 + ".cc", "é" * 70 + ".de",
    "\u0300a.example", "a\u0300.example", "a.b\u202e", ".", "..", "*.", "*", "*.*.klab.cc", "@", "a@b",
    "%{d}.example", "xn--9ca.example", "mail.klab.cc\n", "mail.klab.cc\x7f",
]  # fmt: skip
DKIM_VALUES = [
    "p=", "v=DKIM1; k=ed448; p=AAAA", "v=DKIM1; k=rsa; p=" + base64.b64encode(b"\x30\x03\x02\x01\x00").decode(),
    "-----BEGIN PUBLIC KEY-----\n!!!\n-----END PUBLIC KEY-----", "-----BEGIN PUBLIC KEY-----",
    "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----", "/dev/null", "/", "./x.pem",
    "~/x.pub", "~nobody-such/x.pub", "x\x00.pem", "/" + "a" * 5000 + ".pem", "../" * 40 + "etc/passwd",
    "/etc/passwd", "/proc/self/status", "AAAA", "====", "A" * 44, RSA_KEY[:-8], RSA_KEY + "AAAA",
]  # fmt: skip
SPF_TERMS = [
    "ip6:fe80::1%eth0", "ip6:fe80::1%eth0/64", "ip4:1.2.3.4%0", "ip4:192.0.2.0/33", "ip6:::/129",
    "ip4:192.0.2.1//64", "ip6:2001:db8::1/64//64", "include:%{d}", "include:%{ir}.%{v}._spf.%{d2}",
    "a:x..y", "exists:", "ip4:", "mx/24//64", "a/99", "ip4:::ffff:1.2.3.4", "ip6:1.2.3.4", "+all", "ptr",
    "include:" + "a" * 254, "a:ü.example", "redirect=x.example", "exp=x.example", "ip4:01.2.3.4",
]  # fmt: skip
NETWORK = [
    "10.0.1.0/33", "10.0.1.1/24", "10.0.1.0", "::/0", "10.0.1.0/255.255.255.0", "10.0.1.0/0.0.0.255",
    "10.0.1.255", "10.0.1.0/31", "eth0", "e" * 16, "eth 0", "eth0\n", "+", "-eth0", "0-1", "65536",
    "1-", "44446-44444", "٤٤٤٤٤-٤٤٤٤٦", "3478", "1-65535", " 10.0.1.1 ", "10.0.1.1%eth0",
    "9" * 5000 + "-1", "1-" + "9" * 5000, "9" * 5000,
]  # fmt: skip
TLSA_VALUES = [
    "3 1 1", "3 1 1 xyz", "3 1 1 abc", "4 1 1 " + "ab" * 32, "3 2 1 " + "ab" * 32, "3 1 3 " + "ab" * 32,
    "3 1 1 " + "ab" * 31, "3 1 2 " + "ab" * 32, "9999 1 1 " + "ab" * 32, "٣ 1 1 " + "ab" * 32,
    "3 1 1 " + "ａｂ" * 32, "-1 1 1 " + "ab" * 32, "3 1 1 " + "9" * 5000 + "x",
]  # fmt: skip
TRICKY = st.sampled_from(
    ADDRESSES + NAMES + DKIM_VALUES + SPF_TERMS + NETWORK + TLSA_VALUES + ["admin@" + n for n in NAMES]
)
KEYED = st.sampled_from(["ed1", "dkim1", "", "-", "a.b", "x" * 64, "Ünï", "_x", "a b"]) | SCALARS
WRONG = (
    TRICKY
    | TREES
    | st.lists(TRICKY, min_size=1, max_size=3)
    | st.dictionaries(KEYED, TRICKY | SCALARS, min_size=1, max_size=3)
    | st.binary(min_size=1, max_size=300).map(lambda b: base64.b64encode(b).decode())
)

FAST = settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

# A key whose value others are checked against: a valid new value may be refused where those are.
DEPENDENTS = {
    ("kolab", "hostname"): ("kolab.mta_sts.mx",),  # mode enforce: the policy must cover the MX host
    ("kolab", "mta_sts"): ("kolab.mta_sts.mx",),
    ("zones",): ("secondary[",),  # a secondary's zone: must be listed, its provider must agree
    ("primary",): ("secondary[",),  # a secondary may now repeat the primary
    ("kolab", "ipv4"): ("network.public",),  # mail leaves from network.public: one of kolab.ipv4
    ("network", "internal"): ("network.public", "network.services."),  # inside it, or outside
}


def _dump(data: Any, **kwargs: Any) -> str:
    """YAML text as yaml.safe_dump writes it; libyaml's emitter, when there, is ten times faster."""
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return str(yaml.dump(data, Dumper=dumper, **kwargs))


def _dotted(path: tuple[Any, ...]) -> str:
    """The reader's name for a path: `kolab.dmarc.p`, `secondary[1]` (an override is below that)."""
    out = ""
    for i, part in enumerate(path):
        if isinstance(part, int):
            out += f"[{part}]"
        elif not (i == 2 and path[0] == "secondary"):  # the domain itself names no key
            out = f"{out}.{part}" if out else str(part)
    return out


def _places(node: Any, key: str, out: dict[str, set[int]]) -> None:
    """Every line the reader may name key at: the key's own, its items', a secondary's overrides'."""
    if isinstance(node, LDict):
        for k, v in node.items():
            child = f"{key}.{k}" if key else str(k)
            out.setdefault(child, set()).add(node.lines[k])
            if not isinstance(v, (LDict, LList)):  # a lone value stands for a list of one
                out.setdefault(f"{child}[0]", set()).add(node.lines[k])
            _places(v, child, out)
    elif isinstance(node, LList):
        for index, (item, line) in enumerate(zip(node, node.lines, strict=True)):
            out.setdefault(key, set()).add(line)
            out.setdefault(f"{key}[{index}]", set()).add(line)
            _places(item, f"{key}[{index}]", out)
            if isinstance(item, LDict) and len(item) == 1:  # `- domain: {overrides}`
                _places(next(iter(item.values())), f"{key}[{index}]", out)


def _span(node: Any) -> set[int]:
    """All lines of a subtree."""
    if isinstance(node, LDict):
        return set(node.lines.values()).union(*(_span(v) for v in node.values()))
    if isinstance(node, LList):
        return set(node.lines).union(*(_span(v) for v in node))
    return set()


def _as_far_as_a_command_goes(doc: Doc) -> None:
    """Check, expand, render and hand every record to octoDNS, as validate/render/plan do."""
    decl = declaration.parse(doc, base_dir="/nonexistent")
    validate.warnings(decl)
    validate.spf_summary(decl)
    validate.spf_costs(decl)
    grouped = records.by_zone(decl, records.expand(decl), unmanaged_too=True)
    for fmt in ("zone", "yaml", "json"):
        zonefile.render(grouped, fmt, ("ns1.example",))
    source = KolabSource("kolab", declaration=decl)
    for name in source.list_zones():
        source.populate(Zone(name, []))
    if decl.network is not None:
        for render in (nftables.render, iptables.render, metallb.render):
            render(decl.network)


def test_the_base_declaration_is_accepted_and_uses_every_key() -> None:
    _as_far_as_a_command_goes(load_text(_dump(BASE, allow_unicode=True), FILE))
    dotted = {_dotted(k) for k in KEYS}
    for section, allowed in (
        ("kolab", deployment.KOLAB_KEYS),
        ("kolab.dmarc", deployment._DMARC_KEYS),
        ("kolab.mta_sts", deployment._MTA_STS_KEYS),
        ("", declaration._TOP_KEYS),
        ("secondary[1]", declaration.DOMAIN_OVERRIDES),
        ("network", network_parse.KEYS),
    ):
        missing = [k for k in allowed if (f"{section}.{k}" if section else k) not in dotted]
        missing = [k for k in missing if not (section == "secondary[1]" and k == "zone")]  # in [2]
        assert not missing, f"BASE leaves {section or 'the top level'} keys unused: {missing}"


def _refused_at_its_place(path: tuple[Any, ...], value: Any) -> None:
    doc = load_text(_dump(replace(BASE, path, value), allow_unicode=True), FILE)
    try:
        _as_far_as_a_command_goes(doc)
    except DeclarationError as e:
        places: dict[str, set[int]] = {}
        tree = doc.data
        _places(tree, "", places)
        key = _dotted(path)
        assert e.file == FILE and e.line is not None and e.key is not None, repr(e)
        assert str(e).startswith(f"{FILE}:{e.line}: "), str(e)
        assert "\n" not in str(e)
        # a missing key is named at the mapping it is missing from
        written = places.get(e.key) or places.get(e.key.rpartition(".")[0], set())
        assert e.line in written, f"{e} (the key is written at {places.get(e.key)})"
        node = tree
        for part in path:
            node = node[part]
        listed = key.rpartition("[")[0] if key.endswith("]") else key  # an item is named by its list
        if e.key in (key, listed) or e.key.startswith((f"{key}.", f"{key}[")):
            assert e.line in _span(node) | places[key], str(e)
        else:
            # what depends on this key, or on a key below it (a whole section replaced)
            allowed = tuple(
                p for k, v in DEPENDENTS.items() if path[: len(k)] == k or k[: len(path)] == path for p in v
            )
            assert e.key.startswith(allowed) if allowed else False, f"{key} broken, but: {e}"


SWEEP = [
    *ADDRESSES,
    *NAMES,
    *DKIM_VALUES,
    *SPF_TERMS,
    *NETWORK,
    None,
    True,
    2**64,
    -1,
    1.5,
    float("nan"),
    [],
    {},
]


@pytest.mark.parametrize("path", KEYS, ids=["/".join(map(str, k)) for k in KEYS])
def test_every_tricky_value_is_refused_at_its_key_and_line(path: tuple[Any, ...]) -> None:
    """Each known troublemaker at each key, deterministically."""
    for value in SWEEP:
        _refused_at_its_place(path, value)


@pytest.mark.parametrize("path", KEYS, ids=["/".join(map(str, k)) for k in KEYS])
@FAST
@given(value=WRONG)
def test_a_wrong_value_is_refused_at_its_key_and_line(path: tuple[Any, ...], value: Any) -> None:
    _refused_at_its_place(path, value)


@st.composite
def damaged_der(draw: st.DrawFn) -> bytes:
    """The shipped RSA key's DER with a few bytes changed, cut, or put in: what a bad paste gives."""
    der = bytearray(base64.b64decode(RSA_KEY))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(der)))
        kind = draw(st.sampled_from(["set", "cut", "insert", "truncate"]))
        if kind == "set" and at < len(der):
            der[at] = draw(st.integers(0, 255))
        elif kind == "cut":
            del der[at : at + draw(st.integers(1, 40))]
        elif kind == "insert":
            der[at:at] = draw(st.binary(min_size=1, max_size=4))
        else:
            del der[at:]
    return bytes(der)


@settings(FAST, max_examples=600)
@given(damaged_der())
def test_a_damaged_rsa_key_is_refused_in_words(der: bytes) -> None:
    """Whatever way the key parser refuses (OpenSSL's unknown-algorithm error is no ValueError),
    the user reads words."""
    try:
        dkim.parse_public_key("dkim1", base64.b64encode(der).decode())
    except ValueError as e:
        assert str(e).startswith(("is ", "has ")), str(e)


def test_the_damaged_key_that_tripped_dkimpys_assert_is_located() -> None:
    der = base64.b64decode(RSA_KEY)
    assert der[17:19] == b"\x05\x00"  # the algorithm's NULL parameters
    broken = der[:18] + b"\x01" + der[19:]  # a NULL of length 1: dkimpy asserts it is 0
    with pytest.raises(
        DeclarationError, match=r"^zones/kolab.yaml:\d+: kolab.dkim.dkim1: DKIM key is neither"
    ):
        _as_far_as_a_command_goes(
            load_text(
                _dump(replace(BASE, ("kolab", "dkim", "dkim1"), base64.b64encode(broken).decode())), FILE
            )
        )


def test_a_key_dkimpy_takes_but_openssl_refuses_is_refused() -> None:
    """dkimpy never reads the algorithm OID: a key whose rsaEncryption OID is damaged still parses
    there, while OpenSSL-based verifiers (OpenDKIM, rspamd) refuse it, and so do we."""
    der = bytearray(base64.b64decode(RSA_KEY))
    assert der[6:17] == bytes.fromhex("06092a864886f70d010101")  # OID 1.2.840.113549.1.1.1
    der[10] = 0
    with pytest.raises(ValueError, match="is neither an RSA public key"):
        dkim.parse_public_key("dkim1", base64.b64encode(bytes(der)).decode())


# --- aliases and nesting, wherever they are written ----------------------------------------------------

PARSERS = pytest.mark.parametrize("parser", ["libyaml", "pure-python"])


def _loader(parser: str) -> Any:
    """libyaml's path as it is, or the pure-Python one (as without libyaml)."""
    return mock.patch.object(
        located, "_FAST_LOADER", None if parser == "pure-python" else located._FAST_LOADER
    )


@PARSERS
@FAST
@given(st.data())
def test_a_value_written_twice_as_an_alias_is_refused_at_the_alias(parser: str, data: st.DataObject) -> None:
    """PyYAML writes one list or mapping met twice as &id001 and *id001: the alias must be refused."""
    first, second = data.draw(st.lists(st.sampled_from(KEYS), min_size=2, max_size=2, unique=True))
    if first[: len(second)] == second or second[: len(first)] == first:
        return  # one inside the other: PyYAML would write a recursive structure
    shared = data.draw(st.lists(st.sampled_from(SWEEP[:40]), min_size=1, max_size=3) | st.just({"k": "v"}))
    text = _dump(replace(replace(BASE, first, shared), second, shared), allow_unicode=True)
    alias_line = next(i for i, line in enumerate(text.splitlines(), 1) if "*id001" in line)
    with _loader(parser), pytest.raises(DeclarationError) as info:
        load_text(text, FILE)
    assert info.value.line == alias_line, str(info.value)
    assert "aliases are not allowed in a declaration (*id001" in info.value.message


@PARSERS
@FAST
@given(st.lists(st.sampled_from(["[", "{k: "]), min_size=1, max_size=150))
def test_nesting_loads_up_to_the_limit_and_is_refused_past_it(parser: str, openers: list[str]) -> None:
    """`a:` holds len(openers) collections inside each other: the innermost value is that many
    levels below `a`, itself at level 2 under the top mapping."""
    closers = "".join("]" if o == "[" else "}" for o in reversed(openers))
    text = "a: " + "".join(openers) + "x" + closers + "\n"
    with _loader(parser):
        if len(openers) + 2 <= located.MAX_DEPTH:
            assert load_text(text, FILE).data is not None
        else:
            with pytest.raises(DeclarationError, match="nesting deeper than 64 levels"):
                load_text(text, FILE)
