"""Scoping at fleet scale (issue 6): the generated fleets are valid, and a change plans exactly
the zones it touches, no others. Correctness only: the timings live in bench/, not here."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from octodns.provider.yaml import YamlProvider
from octodns.zone import Zone

from bench import generate
from kolab_dns import ownership, records
from kolab_dns.cli import cli
from kolab_dns.declaration import Declaration, parse
from kolab_dns.located import load_text
from kolab_dns.octo import local
from kolab_dns.octo.local import LocalYamlProvider
from kolab_dns.octo.source import KolabSource
from kolab_dns.scope import changed_zones

from .conftest import ROOT

N = 300


def decl(text: str) -> Declaration:
    return parse(load_text(text, "zones/kolab.yaml"))


def full_comparison(old: Declaration, new: Declaration) -> dict[str, str]:
    """What --since must find: every zone whose fully expanded records differ (the plain way)."""

    def grouped(d: Declaration) -> dict[str, frozenset]:
        return {z: frozenset(r) for z, r in records.by_zone(d, records.expand(d)).items()}

    before, after = grouped(old), grouped(new)
    providers = {**old.zone_providers(), **new.zone_providers()}
    return {z: providers[z] for z in sorted(set(before) | set(after)) if before.get(z) != after.get(z)}


@pytest.fixture(scope="module")
def fleet() -> Declaration:
    return decl(generate.declaration(N))


def test_the_generator_makes_a_valid_fleet_half_in_the_primary_zone_half_zones_of_their_own(
    fleet: Declaration,
) -> None:
    secondaries = fleet.secondaries
    assert len(secondaries) == N and fleet.primary.name == generate.PRIMARY
    in_zone = [d for d in secondaries if d.zone == generate.PRIMARY_ZONE]
    own = [d for d in secondaries if d.zone == d.name]
    assert len(in_zone) == len(own) == N // 2
    assert set(fleet.zone_providers()) == {generate.PRIMARY_ZONE, generate.REVERSE_ZONE} | {
        d.name for d in own
    }
    assert not fleet.warnings


def test_adding_a_zone_of_its_own_plans_that_zone_and_the_report_authorization(fleet: Declaration) -> None:
    # Reports go to admin@kolab.klab.cc: klab.cc authorizes the new domain's (RFC 7489 7.1).
    new = decl(generate.declaration(N, extra=("newcustomer.example",)))
    assert changed_zones(fleet, new) == {"newcustomer.example": "local", "klab.cc": "local"}


def test_with_a_wildcard_authorization_a_new_zone_of_its_own_plans_that_zone_only() -> None:
    old = decl(generate.declaration(N, report_authorization="wildcard"))
    new = decl(generate.declaration(N, extra=("newcustomer.example",), report_authorization="wildcard"))
    assert changed_zones(old, new) == {"newcustomer.example": "local"}


def test_adding_a_domain_in_the_primary_zone_plans_that_zone_only(fleet: Declaration) -> None:
    new = decl(generate.declaration(N, extra=("cnew.klab.cc",)))
    assert changed_zones(fleet, new) == {"klab.cc": "local"}


def test_removing_and_editing_domains_plans_their_zones_only(fleet: Declaration) -> None:
    text = generate.declaration(N)
    edited = text.replace("  - customer00001.example\n", "").replace(
        "  - customer00003.example\n", "  - customer00003.example: {mta_sts: true}\n"
    )
    assert changed_zones(fleet, decl(edited)) == {
        "customer00001.example": "local",
        "customer00003.example": "local",
        "klab.cc": "local",  # customer00001.example's report authorization goes
    }


def test_moving_lines_plans_nothing(fleet: Declaration) -> None:
    lines = generate.declaration(N).splitlines(keepends=True)
    first = lines.index("  - c00000.klab.cc\n")
    moved = lines[:first] + lines[first + 2 :] + lines[first : first + 2]
    assert changed_zones(fleet, decl("".join(moved))) == {}


def test_a_deployment_wide_change_plans_every_zone(fleet: Declaration) -> None:
    new = decl(generate.declaration(N).replace("p: quarantine", "p: reject"))
    assert set(changed_zones(fleet, new)) == set(fleet.zone_providers()) - {generate.REVERSE_ZONE}


# Names that nest in every way that moves records between zones: a domain under an own-zone
# domain, a domain whose records' names are another domain (mta-sts.), a domain in a listed zone.
POOL = (
    "a.example",
    "b.a.example",
    "mta-sts.a.example",
    "c.klab.cc",
    "d.c.klab.cc",
    "e.example",
    "x.e.example",
)
OVERRIDES = ("", ": {mta_sts: true}", ": {managed: false}", ": {kolab_verify: false}")


@st.composite
def declarations(draw: st.DrawFn) -> str:
    chosen = draw(st.lists(st.sampled_from(POOL), unique=True))
    zones = ["klab.cc"] + (["e.example"] if draw(st.booleans()) else [])
    lines = [f"  - {name}{draw(st.sampled_from(OVERRIDES))}" for name in chosen]
    base = generate.declaration(0).replace("  klab.cc: local\n", "".join(f"  {z}: local\n" for z in zones))
    return base + "".join(line + "\n" for line in lines)


@settings(max_examples=300, deadline=None)
@given(declarations(), declarations())
def test_scoping_finds_exactly_what_a_full_comparison_finds(old: str, new: str) -> None:
    before, after = decl(old), decl(new)
    assert changed_zones(before, after) == full_comparison(before, after)


@settings(max_examples=100, deadline=None)
@given(declarations())
def test_each_zone_expanded_alone_equals_the_whole_expansion_grouped(text: str) -> None:
    d = decl(text)
    grouped = records.by_zone(d, records.expand(d))
    source = KolabSource("kolab", declaration=d)
    assert sorted(source.list_zones()) == sorted(f"{z}." for z in grouped)
    for zone, rsets in grouped.items():
        expected = rsets + ownership.markers(zone, rsets, d.deployment.ttl)
        assert sorted(source.records(zone) or []) == sorted(expected)


@pytest.mark.parametrize("batch_lines", [3, 7, local.BATCH_LINES])
def test_the_local_target_reads_what_octodns_yamlprovider_reads(
    repo: Path, batch_lines: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The libyaml reader of the embedded target gives octoDNS's records, record for record,
    however its files are cut into batches (names with several types are YAML lists in column 0,
    the apex an explicit `? ''` key)."""
    monkeypatch.setattr(local, "BATCH_LINES", batch_lines)
    slow_reads: list[object] = []
    octodns_read = YamlProvider._populate_from_file

    def counted(self: YamlProvider, *args: object) -> None:
        slow_reads.append(self)
        octodns_read(self, *args)

    monkeypatch.setattr(YamlProvider, "_populate_from_file", counted)
    (repo / "zones" / "kolab.yaml").write_text(generate.declaration(40))
    assert CliRunner().invoke(cli, ["-C", str(repo), "sync"]).exit_code == 0
    options = yaml.safe_load((ROOT / "providers" / "local.yaml").read_text())
    options.pop("class")
    options["directory"] = str(repo / options["directory"])
    ours, octodns = LocalYamlProvider("ours", **options), YamlProvider("octodns", **options)
    zones = sorted(f.name[: -len("yaml")] for f in (repo / ".kolab-dns" / "local").iterdir())
    assert len(zones) == 22
    for name in zones:
        a, b = Zone(name, []), Zone(name, [])
        ours.populate(a, target=True)
        octodns.populate(b, target=True)
        assert a.records and {(r.name, r._type): (r.data, r.context) for r in a.records} == {
            (r.name, r._type): (r.data, r.context) for r in b.records
        }
    assert ours not in slow_reads and slow_reads.count(octodns) == len(zones)  # libyaml read every file


def test_plan_since_on_a_synced_fleet_plans_the_zones_a_new_domain_touches(repo: Path) -> None:
    path = repo / "zones" / "kolab.yaml"
    path.write_text(generate.declaration(N))
    shutil.copy(ROOT / "providers" / "local.yaml", repo / "providers" / "local.yaml")
    for cmd in (
        ["init", "-q"],
        ["add", "-A"],
        ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "fleet"],
    ):
        subprocess.run(["git", "-C", str(repo), *cmd], check=True)
    runner = CliRunner()
    assert runner.invoke(cli, ["-C", str(repo), "sync"]).exit_code == 0
    for extra, zones in (
        ("newcustomer.example", {"newcustomer.example", "klab.cc"}),  # klab.cc: report authorization
        ("cnew.klab.cc", {"klab.cc"}),
    ):
        path.write_text(generate.declaration(N, extra=(extra,)))
        result = runner.invoke(cli, ["-C", str(repo), "plan", "--since", "HEAD", "--format", "json"])
        data = json.loads(result.stdout)
        assert data["summary"]["zones"] == len(zones), result.stderr
        assert {c["zone"] for c in data["changes"]} == zones
        # New records only; a marker that lists them may be updated
        assert {c["action"] for c in data["changes"] if "_kolab-dns." not in c["name"]} == {"create"}
        assert all(extra in c["name"] for c in data["changes"] if not c["name"].startswith("_kolab-dns"))
