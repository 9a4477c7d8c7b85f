"""The lookups that spare scoping a pass over every domain of a fleet give what a pass gives, and
scoping a derived declaration compares only the domains the change touched."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench import generate
from kolab_dns import scope
from kolab_dns.declaration import parse
from kolab_dns.located import load_text
from kolab_dns.model import Declaration, MailDomain
from kolab_dns.records import ScopedZoning, Zoning

N = 60
TEXT = generate.declaration(N, report_authorization="wildcard") + (
    "  - sub.customer00001.example\n  - deep.sub.customer00001.example\n"
    "  - off.example: {managed: false}\n  - in.off.example\n"
)


@pytest.fixture(scope="module")
def fleet() -> Declaration:
    return parse(load_text(TEXT, "zones/kolab.yaml"))


NAMES = st.sampled_from(
    [
        "klab.cc",
        "c00000.klab.cc",
        "customer00001.example",
        "sub.customer00001.example",
        "example",
        "off.example",
        "in.off.example",
        "cc",
        "nowhere.example",
        "00001.example",
        "r.klab.cc",
    ]
)


@settings(max_examples=60, deadline=None)
@given(NAMES)
def test_at_or_below_is_the_scan(fleet: Declaration, name: str) -> None:
    scan = [d for d in fleet.domains if d.name == name or d.name.endswith("." + name)]
    assert [id(d) for d in fleet.at_or_below(name)] == [id(d) for d in scan]


def test_domain_unmanaged_and_zone_providers_are_the_scans(fleet: Declaration) -> None:
    for d in fleet.domains:
        assert fleet.domain(d.name) is d
    assert fleet.domain("nowhere.example") is None
    assert fleet.unmanaged == {"off.example"}
    providers = fleet.zone_providers()
    providers["mutated.example"] = "x"  # a copy: the declaration's own stays as it was
    assert "mutated.example" not in fleet.zone_providers()
    expected = dict(fleet.zones)
    for d in fleet.domains:
        if d.managed:
            expected.setdefault(d.zone, d.provider)
    assert fleet.zone_providers() == expected


def test_a_scoped_zone_holds_what_the_full_index_gives(fleet: Declaration) -> None:
    full, scoped = Zoning(fleet), ScopedZoning(fleet)
    for d in fleet.domains:
        assert scoped.zones_of(d.name) == full.zones_of(d.name)
    assert scoped.zones_of("nowhere.example") == set() == full.zones_of("nowhere.example")
    for zone in fleet.zone_providers():
        assert sorted(d.name for d in scoped.domains[zone]) == sorted(d.name for d in full.domains[zone])
        assert set(scoped.records(zone) or ()) == set(full.records(zone) or ())
        assert scoped.deployment.get(zone) == full.deployment.get(zone)


def test_scoping_a_derived_declaration_compares_only_the_changed_domains(
    fleet: Declaration, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Adding one domain to a fleet compares one domain, not every one."""
    new_text = TEXT + "  - newcustomer.example\n"
    new = parse(load_text(new_text, "zones/kolab.yaml"))
    old = scope.derive_old(TEXT, new_text, new, "HEAD:zones/kolab.yaml")
    assert old is not None
    compared = []
    eq = MailDomain.__eq__

    def counting(self: MailDomain, other: object) -> bool:
        compared.append(self)
        return eq(self, other)

    monkeypatch.setattr(MailDomain, "__eq__", counting)
    assert scope.changed_zones(old, new) == {"newcustomer.example": "local"}
    assert len(compared) <= 2
    full = parse(load_text(TEXT, "HEAD:zones/kolab.yaml"))
    compared.clear()
    assert scope.changed_zones(full, new) == {"newcustomer.example": "local"}
    assert len(compared) > N  # read in full, nothing is shared: every domain is compared


def test_unshared_parts_compare_as_the_whole(fleet: Declaration) -> None:
    domains = fleet.secondaries
    moved = dataclasses.replace(domains[5], mta_sts=True)
    for old, new in [
        (domains, domains),
        (domains, (*domains[:10], moved, *domains[11:])),
        (domains[:-1], domains),
        (domains[1:], domains),
        ((), domains),
        ((*domains[:30], *domains[31:]), domains),
    ]:
        a, b = scope._unshared(old, new)
        whole = {d.name for d in set(old) ^ set(new)}
        assert {d.name for d in set(a) ^ set(b)} == whole
