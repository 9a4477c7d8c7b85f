"""A fleet's `secondary:` list of plain names is placed in bulk (declaration._plain_secondaries,
model.plain_secondaries): the domains, their every field and line, and any error are exactly what
reading each item in turn gives."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench import generate
from kolab_dns import declaration, names
from kolab_dns.errors import DeclarationError
from kolab_dns.located import load_text
from kolab_dns.model import MailDomain, plain_secondaries

HEAD = generate.declaration(0)  # ends with "secondary:\n"


def outcome(text: str) -> Any:
    try:
        decl = declaration.parse(load_text(text, "zones/kolab.yaml"))
    except DeclarationError as e:
        return ("error", str(e))
    return decl, [(repr(d), vars(d)) for d in decl.domains]


def one_by_one(text: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    with monkeypatch.context() as m:
        m.setattr(declaration, "_plain_secondaries", lambda *args: None)
        return outcome(text)


NAME_LIST = (
    "a.example",
    "b.klab.cc",
    "klab.cc",
    "x.sub.example",
    "sub.example",
    generate.PRIMARY,
    "Upper.example",
    "trailing.example.",
    "'quoted.example'",
    '" spaced.example "',
    "xn--bcher-kva.example",
    "xn--zz.example",  # not a valid A-label
    ".".join(["a" * 63] * 4) + ".com",  # 259 bytes
    "bücher.example",
    "single",
    "x.123",
    "-bad.example",
    "a" * 64 + ".example",
    "b" * 70,
    "c.example\\nd.example",
    '"c.example\\nd.example"',
    "10",
    "yes",
    "over.example: {managed: false}",
    "zoned.klab.cc: {zone: klab.cc}",
)
NAMES = st.sampled_from(NAME_LIST)


@settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(NAMES, min_size=1, max_size=8), st.booleans())
def test_any_list_reads_as_item_by_item(names: list[str], zones: bool) -> None:
    text = HEAD.replace("  klab.cc: local\n", "  klab.cc: local\n  sub.example: other\n") if zones else HEAD
    text += "".join(f"  - {name}\n" for name in names)
    with pytest.MonkeyPatch.context() as m:
        assert outcome(text) == one_by_one(text, m)


@pytest.mark.parametrize("name", NAME_LIST)
def test_each_name_beside_a_plain_one_reads_as_item_by_item(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = HEAD + f"  - plain.example\n  - {name}\n"
    assert outcome(text) == one_by_one(text, monkeypatch)


def test_a_fleet_is_placed_in_bulk(monkeypatch: pytest.MonkeyPatch) -> None:
    text = generate.declaration(500)
    calls = []
    bulk = declaration._plain_secondaries
    monkeypatch.setattr(declaration, "_plain_secondaries", lambda *a: calls.append(1) or bulk(*a))
    fast = outcome(text)
    assert calls == [1] and len(fast[0].secondaries) == 500
    assert fast == one_by_one(text, monkeypatch)


def test_a_bulk_domain_is_the_dataclass_it_stands_for() -> None:
    (made,) = plain_secondaries([("a.example", "example.zone", "local", 7)], True, False)
    built = MailDomain("a.example", False, "example.zone", "local", True, True, False, 7)
    assert made == built and hash(made) == hash(built) and repr(made) == repr(built)
    assert vars(made) == vars(built) and type(made) is MailDomain
    with pytest.raises(AttributeError):
        made.name = "b.example"  # type: ignore[misc]


@settings(max_examples=500, deadline=None, database=None)
@given(st.lists(st.text(alphabet="ab9-.\nXé ", max_size=12), min_size=1, max_size=4))
def test_all_plain_is_each_name_given_back_by_to_ascii(strings: list[str]) -> None:
    def unchanged(s: str) -> bool:
        try:
            return names.to_ascii(s) == s
        except names.InvalidName:
            return False

    if names.all_plain(strings):
        assert all(unchanged(s) for s in strings)
    assert names.all_plain(strings) == all(
        names._PLAIN_NAME.fullmatch(s) and "\n" not in s and "xn--" not in s for s in strings
    )


@pytest.mark.parametrize(
    "label", ["a", "a-b", "9a", "a9", "-a", "a-", "99", "a" * 63, "a" * 64, "9" * 70 + "a"]
)
def test_all_plain_labels(label: str) -> None:
    for name in (f"{label}.example", f"x.{label}", f"{label}.{label}"):
        assert names.all_plain([name]) == bool(names._PLAIN_NAME.fullmatch(name)), name
