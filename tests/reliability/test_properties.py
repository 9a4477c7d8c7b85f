"""Property-based tests (hypothesis) of the loader and the expansion.

- Whatever text or tree a declaration file holds, loading it either succeeds or raises a
  KolabDnsError: never a KeyError, a TypeError or a YAML exception.
- Every declaration that loads expands into records that octoDNS's own Record.new validates and
  that fit together in an octoDNS Zone (no duplicate, no CNAME beside other data).
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from octodns.zone import Zone

from kolab_dns import declaration, names
from kolab_dns.errors import KolabDnsError
from kolab_dns.located import load_text
from kolab_dns.octo.providers import Providers, check_construct, check_secrets
from kolab_dns.octo.source import KolabSource
from kolab_dns.project import Project
from kolab_dns.records import dmarc, mta_sts

from .trees import replace, scalars, trees

SHIPPED = (Path(__file__).resolve().parents[2] / "zones" / "kolab.yaml").read_text(encoding="utf-8")
RSA_KEY = next(line.split(": ", 1)[1] for line in SHIPPED.splitlines() if "dkim1:" in line)
ED25519_KEY = base64.b64encode(bytes(range(32))).decode()

FAST = settings(
    max_examples=120,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def load(text: str, base_dir: str = "/nonexistent") -> declaration.Declaration | None:
    """Load a declaration text; None if it was rejected with our own error type."""
    try:
        return declaration.parse(load_text(text, "zones/kolab.yaml"), base_dir=base_dir)
    except KolabDnsError as e:
        assert "\n" not in str(e), f"a multi-line error: {e!r}"
        return None


# --- the loader never lets anything but KolabDnsError escape ---------------------------------------

YAML_CHARS = st.sampled_from([*":{}[]-#&*!|>'\"%@`,?\t\n ", "  ", "\n  ", "- ", ": ", "\\", "\x00", "é"])


@FAST
@given(st.text(max_size=200))
def test_any_text_loads_or_fails_with_our_error(text: str) -> None:
    load(text)


@st.composite
def mutated_text(draw: st.DrawFn) -> str:
    """The shipped declaration with a few character- and line-level edits."""
    text = SHIPPED
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["insert", "delete", "replace-line", "duplicate-line", "swap"]))
        lines = text.split("\n")
        if kind == "insert":
            at = draw(st.integers(0, len(text)))
            text = text[:at] + draw(YAML_CHARS | st.text(max_size=3)) + text[at:]
        elif kind == "delete":
            at = draw(st.integers(0, max(0, len(text) - 1)))
            text = text[:at] + text[at + draw(st.integers(1, 5)) :]
        elif kind == "replace-line":
            i = draw(st.integers(0, len(lines) - 1))
            lines[i] = draw(st.text(max_size=30))
            text = "\n".join(lines)
        elif kind == "duplicate-line":
            i = draw(st.integers(0, len(lines) - 1))
            lines.insert(i, lines[i])
            text = "\n".join(lines)
        else:
            i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
            text = "\n".join(lines)
    return text


@FAST
@given(mutated_text())
def test_mutated_declarations_load_or_fail_with_our_error(text: str) -> None:
    load(text)


SCALARS = scalars(
    st.sampled_from(["/dev/zero", "/", "./x.pem", "a.key", "xn--", "*.x", "env/X", "ü.example", "-"])
)
TREES = trees(SCALARS, size=4, max_leaves=12)


def _paths(tree: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(tree, dict):
        for k, v in tree.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(tree, list):
        for i, v in enumerate(tree):
            out += _paths(v, (*prefix, i))
    return out


@FAST
@given(st.data())
def test_declarations_with_a_node_replaced_load_or_fail_with_our_error(data: st.DataObject) -> None:
    tree = yaml.safe_load(SHIPPED)
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(_paths(tree)))
        tree = replace(tree, path, data.draw(TREES))
    load(yaml.safe_dump(tree, allow_unicode=True))


@FAST
@given(TREES)
def test_any_yaml_tree_loads_or_fails_with_our_error(tree: Any) -> None:
    load(yaml.safe_dump(tree, allow_unicode=True))


# --- every accepted declaration expands into records octoDNS accepts -------------------------------

LABEL = st.from_regex(r"[a-z0-9](?:[a-z0-9-]{0,14}[a-z0-9])?", fullmatch=True) | st.sampled_from(
    ["bücher", "δοκιμή", "пример", "xn--bcher-kva", "kolab", "mail", "a" * 63]
)
TLD = st.sampled_from(["example", "org", "cc", "test", "xn--p1ai", "рф"])


@st.composite
def domain(draw: st.DrawFn, under: str | None = None) -> str:
    labels = draw(st.lists(LABEL, min_size=1, max_size=3))
    return ".".join([*labels, under or draw(TLD)])


@st.composite
def declarations(draw: st.DrawFn) -> dict[str, Any]:
    zone = draw(domain())
    primary = draw(domain(under=zone) | st.just(zone))
    kolab: dict[str, Any] = {
        "hostname": draw(domain(under=zone) | st.just(primary)),
        "ipv4": draw(st.lists(st.ip_addresses(v=4).map(str), max_size=2, unique=True)),
        "ipv6": draw(st.lists(st.ip_addresses(v=6).map(str), max_size=2, unique=True)),
        "ttl": draw(st.integers(60, 604800)),
        "kolab_verify": draw(st.booleans()),
    }
    if draw(st.booleans()):
        kolab["reports"] = f"dmarc@{draw(domain())}"
    selectors = draw(
        st.lists(st.from_regex(r"[a-z][a-z0-9-]{0,10}", fullmatch=True), max_size=2, unique=True)
    )
    if selectors:
        kolab["dkim"] = {s: draw(st.sampled_from([RSA_KEY, ED25519_KEY])) for s in selectors}
    if draw(st.booleans()):
        kolab["dmarc"] = {
            "p": draw(st.sampled_from(dmarc.POLICIES)),
            "adkim": draw(st.sampled_from(["r", "s"])),
            "pct": draw(st.integers(0, 100)),
            "fo": draw(st.sampled_from(["0", "1", "d:s", "1:d"])),
        }
    if draw(st.booleans()):
        kolab["mta_sts"] = {
            "mode": draw(st.sampled_from(mta_sts.MODES)),
            "max_age": draw(st.integers(0, 31557600)),
            "secondaries": draw(st.booleans()),
        }
    if draw(st.booleans()):
        kolab["nameservers"] = [draw(domain())]
    zones = {zone: "local"}
    if kolab["ipv4"] and draw(st.booleans()):
        zones[names.reverse_name(kolab["ipv4"][0]).split(".", 1)[1]] = "local"
    secondary: list[Any] = []
    for name in draw(st.lists(domain() | domain(under=zone), max_size=4)):
        overrides = draw(
            st.fixed_dictionaries(
                {},
                optional={
                    "managed": st.booleans(),
                    "mta_sts": st.booleans(),
                    "kolab_verify": st.booleans(),
                },
            )
        )
        secondary.append({name: overrides} if overrides else name)
    return {"kolab": kolab, "zones": zones, "primary": primary, "secondary": secondary}


def _octodns_zones(decl: declaration.Declaration) -> int:
    """Populate an octoDNS Zone per zone from KolabSource, as a sync would; records added."""
    source = KolabSource("kolab", declaration=decl)
    count = 0
    for name in source.list_zones():
        zone = Zone(name, [])
        assert source.populate(zone)
        count += len(zone.records)
    return count


@settings(FAST, max_examples=80)
@given(declarations())
def test_every_accepted_declaration_expands_into_records_octodns_validates(data: dict[str, Any]) -> None:
    decl = load(yaml.safe_dump(data, allow_unicode=True))
    assume(decl is not None)
    assert decl is not None
    assert _octodns_zones(decl) > 0


def test_the_generator_yields_mostly_accepted_declarations() -> None:
    """The expansion property is only as strong as the share of generated declarations accepted."""
    accepted = []

    @settings(FAST, max_examples=60)
    @given(declarations())
    def probe(data: dict[str, Any]) -> None:
        accepted.append(load(yaml.safe_dump(data, allow_unicode=True)) is not None)

    probe()
    assert sum(accepted) >= len(accepted) // 2, f"{sum(accepted)} of {len(accepted)} accepted"


# --- provider files: the same promise ---------------------------------------------------------------

CLASSES = st.sampled_from(
    [
        "octodns_powerdns.PowerDnsProvider",
        "octodns_cloudflare.CloudflareProvider",
        "octodns_powerdns.Nope",
        "octodns_nope.Provider",
        "PowerDnsProvider",
        "",
        ".",
    ]
)
PDNS_KEYS = st.sampled_from(["host", "api_key", "port", "timeout", "scheme", "token", "apikey", "class"])


@settings(FAST, max_examples=100)
@given(
    st.one_of(
        TREES,
        st.fixed_dictionaries({"class": CLASSES}).flatmap(
            lambda base: st.dictionaries(PDNS_KEYS | st.text(max_size=8), SCALARS | TREES, max_size=6).map(
                lambda extra: {**extra, **base}
            )
        ),
    )
)
def test_any_provider_file_loads_or_fails_with_our_error(tmp_path_factory: Any, data: Any) -> None:
    root = tmp_path_factory.mktemp("repo")
    (root / "providers").mkdir()
    (root / "providers" / "x.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    try:
        provider = Providers(Project.at(str(root))).get("x")
        check_secrets(provider)
        check_construct(provider)
    except KolabDnsError as e:
        assert "\n" not in str(e)
