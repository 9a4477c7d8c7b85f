"""The fast path (octo/unchanged.py, readers.py, prefilter.py) plans exactly what octoDNS plans.

For a set of target states of the local YAML target, `plan` with the fast path must print the same
plan (or the same error) as `plan` with every zone through octoDNS (KOLAB_DNS_FAST_PATH=0). And it
must be fast for the right reason: for an unchanged fleet octoDNS builds no Record at all, and
for a fleet with one changed zone it builds Records for that zone only.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result
from octodns.record import Record

from bench import generate
from kolab_dns.cli import cli
from kolab_dns.octo import unchanged
from kolab_dns.octo.engine import FAST_PATH_ENV
from kolab_dns.recordset import RecordSet

from .conftest import ROOT

CUSTOMER = generate.own_zone_domain(1)  # a zone of its own
PRIMARY_ZONE = generate.PRIMARY_ZONE

Entries = dict[str, list[dict[str, Any]]]


@pytest.fixture(scope="module")
def synced(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A repository of 6 secondaries, synced once to the local target."""
    root = tmp_path_factory.mktemp("fleet")
    generate.write_repo(root, 6, report_authorization="wildcard")
    shutil.copy(ROOT / "providers" / "local.yaml", root / "providers" / "local.yaml")
    result = CliRunner().invoke(cli, ["-C", str(root), "sync"])
    assert result.exit_code == 0, result.output
    return root


@pytest.fixture
def repo(synced: Path, tmp_path: Path) -> Iterator[Path]:
    root = tmp_path / "repo"
    shutil.copytree(synced, root)
    yield root


def target_file(repo: Path, zone: str) -> Path:
    return repo / ".kolab-dns" / "local" / f"{zone}.yaml"


def edit(repo: Path, zone: str, change: Callable[[Entries], None], **dump: Any) -> None:
    """Change a zone file as a person would: load it, edit the data, write it back (PyYAML's style)."""
    path = target_file(repo, zone)
    data = yaml.safe_load(path.read_text()) or {}
    entries: Entries = {name: v if isinstance(v, list) else [v] for name, v in data.items()}
    change(entries)
    path.write_text(yaml.safe_dump(entries, **dump))


def at(entries: Entries, name: str, rtype: str) -> dict[str, Any]:
    return next(item for item in entries[name] if item["type"] == rtype)


def plan(repo: Path, fast: bool) -> Result:
    env = {FAST_PATH_ENV: "1" if fast else "0"}
    return CliRunner().invoke(cli, ["-C", str(repo), "plan", "--format", "json"], env=env)


def same_plan(repo: Path) -> Result:
    """Plan with and without the fast path; both must say the same, change or error."""
    fast, slow = plan(repo, True), plan(repo, False)
    assert (fast.exit_code, fast.stdout) == (slow.exit_code, slow.stdout)
    assert fast.stderr.splitlines()[-1:] == slow.stderr.splitlines()[-1:]
    return fast


def _value_to_values(entries: Entries) -> None:
    for items in entries.values():
        for item in items:
            if "value" in item and item["type"] != "CNAME":  # a CNAME has one value
                item["values"] = [item.pop("value")]


def _chunk_dkim(entries: Entries) -> None:
    item = at(entries, "dkim1._domainkey.kolab", "TXT")
    text = item["value"]
    item["value"] = f'"{text[:100]}" "{text[100:]}"'  # octoDNS joins quoted chunks


def _change_mx(entries: Entries) -> None:
    at(entries, "", "MX")["value"]["exchange"] = "mail.elsewhere.example."


def _foreign_txt(entries: Entries) -> None:
    item = at(entries, "", "TXT")
    item["values"] = [item.pop("value"), "google-site-verification=abc123"]


def _foreign_rrset(entries: Entries) -> None:
    entries["www"] = [{"type": "A", "value": "192.0.2.80"}]


def _marker_lists_extra(entries: Entries) -> None:
    at(entries, "_kolab-dns", "TXT")["value"] += " www/A"
    entries["www"] = [{"type": "A", "value": "192.0.2.80"}]


def _marker_lists_absent(entries: Entries) -> None:
    at(entries, "_kolab-dns", "TXT")["value"] += " gone/A"


def _marker_dropped(entries: Entries) -> None:
    del entries["_kolab-dns"]


def _cname_conflict(entries: Entries) -> None:
    entries["dkim1._domainkey"].append({"type": "TXT", "value": "foreign"})


def _cname_foreign(entries: Entries) -> None:
    entries["_dmarc"] = [{"type": "CNAME", "value": "dmarc.elsewhere.example."}]


def _ttl_changed(entries: Entries) -> None:
    at(entries, "_dmarc", "TXT")["ttl"] = 600


def _invalid_foreign(entries: Entries) -> None:
    entries["bad"] = [{"type": "MX", "value": {"exchange": "mx.elsewhere.example."}}]


def _octodns_meta(entries: Entries) -> None:
    entries["www"] = [{"type": "A", "value": "192.0.2.80", "octodns": {"ignored": True}}]


def _duplicate(entries: Entries) -> None:
    entries["www"] = [{"type": "A", "values": ["192.0.2.81", "192.0.2.80"]}]


def _upper_case_name(entries: Entries) -> None:
    entries["_DMARC"] = entries.pop("_dmarc")


SCENARIOS: dict[str, tuple[str, Callable[[Entries], None] | None, bool]] = {
    # name: (zone, change, whether the plan has changes or fails)
    "unchanged": (CUSTOMER, None, False),
    "values instead of value, flow style": (CUSTOMER, _value_to_values, False),
    "TXT in quoted chunks": (PRIMARY_ZONE, _chunk_dkim, False),
    "one value changed": (CUSTOMER, _change_mx, True),
    "foreign value beside ours in a shared TXT": (CUSTOMER, _foreign_txt, False),
    "foreign record set": (CUSTOMER, _foreign_rrset, False),
    "marker lists an extra record": (CUSTOMER, _marker_lists_extra, True),
    "marker lists a record that is gone": (CUSTOMER, _marker_lists_absent, True),
    "marker missing": (CUSTOMER, _marker_dropped, True),
    "foreign TXT beside our CNAME": (CUSTOMER, _cname_conflict, True),
    "foreign CNAME at our TXT's name": (CUSTOMER, _cname_foreign, True),
    "TTL changed": (CUSTOMER, _ttl_changed, True),
    "foreign record octoDNS cannot build": (CUSTOMER, _invalid_foreign, True),
    "foreign record with octodns settings": (CUSTOMER, _octodns_meta, False),
    "foreign record set with two values": (CUSTOMER, _duplicate, False),
    "name in upper case": (CUSTOMER, _upper_case_name, False),
}


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_the_fast_path_plans_what_octodns_plans(repo: Path, scenario: str) -> None:
    zone, change, differs = SCENARIOS[scenario]
    if change is not None:
        edit(repo, zone, change, default_flow_style=scenario.endswith("flow style"))
    result = same_plan(repo)
    assert ('"zones_changed": 0' not in result.stdout or result.exit_code != 0) == differs, result.output


def test_a_missing_zone_file_plans_the_zone_created(repo: Path) -> None:
    target_file(repo, CUSTOMER).unlink()
    result = same_plan(repo)
    assert result.exit_code == 0 and '"zones_changed": 1' in result.stdout


def test_a_file_octodns_cannot_parse_fails_the_same_way(repo: Path) -> None:
    target_file(repo, CUSTOMER).write_text("www: [unclosed\n")
    result = same_plan(repo)
    assert result.exit_code == 1


def test_a_duplicate_record_fails_the_same_way(repo: Path) -> None:
    with target_file(repo, CUSTOMER).open("a") as fh:
        fh.write("www:\n- type: A\n  value: 192.0.2.1\n- type: A\n  value: 192.0.2.2\n")
    result = same_plan(repo)
    assert result.exit_code == 1


@pytest.fixture
def built(monkeypatch: pytest.MonkeyPatch, repo: Path) -> list[str]:
    """The zone of every octoDNS Record built from this repository's target, in order: octoDNS
    plans a zone by reading it from the target, so none built means no zone went to octoDNS.
    (Counted by the reading provider's directory: other tests' threads may build Records too.)"""
    zones: list[str] = []
    new = Record.new.__func__  # type: ignore[attr-defined]
    mine = str(repo)

    def counting(cls: type, zone: Any, *args: Any, **kwargs: Any) -> Any:
        if str(getattr(kwargs.get("source"), "directory", "")).startswith(mine):
            zones.append(zone.name)
        return new(cls, zone, *args, **kwargs)

    monkeypatch.setattr(Record, "new", classmethod(counting))
    return zones


def test_an_unchanged_fleet_builds_no_octodns_record(repo: Path, built: list[str]) -> None:
    result = plan(repo, True)
    assert result.exit_code == 0 and '"zones_changed": 0' in result.stdout
    assert built == [], f"octoDNS built records of {sorted(set(built))}"
    assert plan(repo, False).exit_code == 0 and len(built) > 100  # the count is real


def test_one_changed_zone_is_the_only_one_octodns_builds(repo: Path, built: list[str]) -> None:
    edit(repo, CUSTOMER, _change_mx)
    result = plan(repo, True)
    assert result.exit_code == 0 and '"zones_changed": 1' in result.stdout
    assert set(built) == {f"{CUSTOMER}."}


def test_two_record_sets_of_one_name_and_type_are_left_to_octodns() -> None:
    a = RecordSet("www.example.com", "A", 3600, ("192.0.2.1",), "example.com", "host")
    b = RecordSet("www.example.com", "A", 3600, ("192.0.2.2",), "example.com", "host")
    assert unchanged.desired("example.com", [a]) == {
        ("www", "A"): {"type": "A", "ttl": 3600, "values": ["192.0.2.1"]}
    }
    assert unchanged.desired("example.com", [a, b]) is None  # octoDNS refuses the duplicate itself
