"""`plan --since` derives the old declaration from the new one when only `- domain` lines changed:
whatever the edit, the derived declaration is exactly what reading the old text gives, or there
is none and the old text is read in full (which reports any error in it, as before)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench import generate
from kolab_dns.declaration import parse
from kolab_dns.errors import DeclarationError
from kolab_dns.located import load_text
from kolab_dns.model import Declaration
from kolab_dns.scope import changed_zones, derive_old

N = 12
NEW = generate.declaration(N, report_authorization="wildcard")
LINES = NEW.splitlines(keepends=True)
FIRST_ITEM = LINES.index("secondary:\n") + 1

ITEMS = st.one_of(
    st.sampled_from([f"  - {d}\n" for d in generate.secondaries(N)]),  # duplicates, moves
    st.from_regex(r"  - [a-z]{1,6}\.(example|klab\.cc|c00000\.klab\.cc)\n", fullmatch=True),
    st.sampled_from(
        [
            "  - kolab.klab.cc\n",  # the primary again
            "  - single\n",
            "  - x.123\n",
            "  - -bad.example\n",
            "  - Upper.example\n",
            "  - over.example:\n      provider: local\n",
            "  # a comment\n",
            "\n",
            "    - deeper.example\n",
            "- outdented.example\n",
            "  - trailing.example   \n",
        ]
    ),
)


def read(text: str, path: str) -> Declaration:
    return parse(load_text(text, path))


@settings(max_examples=150, deadline=None)
@given(
    start=st.integers(FIRST_ITEM - 2, len(LINES)),
    length=st.integers(0, 4),
    inserted=st.lists(ITEMS, max_size=4),
)
def test_the_derived_old_declaration_is_the_one_read_in_full(
    start: int, length: int, inserted: list[str]
) -> None:
    new = read(NEW, "zones/kolab.yaml")
    old_text = "".join(LINES[:start] + inserted + LINES[start + length :])
    derived = derive_old(old_text, NEW, new, "HEAD:zones/kolab.yaml")
    try:
        full = read(old_text, "HEAD:zones/kolab.yaml")
    except DeclarationError:
        assert derived is None
        return
    if derived is not None:
        assert derived == full
        assert [d.name for d in derived.domains] == [d.name for d in full.domains]
        assert changed_zones(derived, new) == changed_zones(full, new)


@pytest.mark.parametrize(
    "old_text",
    [
        NEW.replace("  - customer00003.example\n", ""),  # the new one adds a domain
        NEW + "  - gone.example\n",  # the new one removes a domain
        NEW.replace("  - c00002.klab.cc\n", "  - c00002.klab.cc\n  - gone.klab.cc\n"),
        NEW,
    ],
)
def test_the_usual_pull_requests_are_derived(old_text: str) -> None:
    new = read(NEW, "zones/kolab.yaml")
    derived = derive_old(old_text, NEW, new, "HEAD:zones/kolab.yaml")
    assert derived is not None and derived == read(old_text, "HEAD:zones/kolab.yaml")


def test_other_changes_are_read_in_full() -> None:
    new = read(NEW, "zones/kolab.yaml")
    assert derive_old(NEW.replace("ttl: 3600", "ttl: 600"), NEW, new, "x") is None
    assert derive_old(NEW.replace("\n", "\r\n"), NEW, new, "x") is None
