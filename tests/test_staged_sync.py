"""A sync in two passes (octo/survey.py, octo/staged.py): every zone planned once and let go, then
planned again zone by zone as it is written. It must write what one pass writes, refuse exactly as
before writing anything, stop on a zone whose plan changed in between, and hold few zones' octoDNS
Records at once.
"""

from __future__ import annotations

import gc
import json
import shutil
from hashlib import sha256
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from octodns.record import Record
from octodns.zone import Zone

from bench import generate
from kolab_dns.cli import cli
from kolab_dns.errors import KolabDnsError
from kolab_dns.octo import staged, survey
from kolab_dns.octo.engine import Run, plan_run, scoped_zones
from kolab_dns.octo.local import LocalYamlProvider
from kolab_dns.octo.providers import Providers
from kolab_dns.octo.report import PlanReport, checksum_of, plan_text, render_json
from kolab_dns.project import Project

from .conftest import ROOT

EVERYTHING = 10**9  # keep_records: every plan kept whole, as octoDNS's Manager.sync holds them


@pytest.fixture
def fleet(tmp_path: Path) -> Path:
    """6 secondaries: the primary's zone, three zones of their own, the reverse zone; nothing synced."""
    generate.write_repo(tmp_path, 6, report_authorization="wildcard")
    shutil.copy(ROOT / "providers" / "local.yaml", tmp_path / "providers" / "local.yaml")
    return tmp_path


def run(root: Path, **kwargs: Any) -> Run:
    project = Project.at(str(root))
    decl = project.load()
    return plan_run(Providers(project), decl, scoped_zones(decl), max_workers=1, **kwargs)


def files(root: Path) -> dict[str, str]:
    return {p.name: p.read_text() for p in sorted((root / ".kolab-dns" / "local").glob("*.yaml"))}


def zones_with_records_alive() -> set[str]:
    return {o.zone.name for o in gc.get_objects() if isinstance(o, Record)}


def test_planned_again_writes_what_one_pass_writes(fleet: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    shutil.copytree(fleet, other)
    twice = run(fleet, keep_records=0).execute(apply=True)
    once = run(other, keep_records=EVERYTHING).execute(apply=True)
    assert render_json(twice) == render_json(once)
    assert twice.applied and twice.count("create") > 100 and len(twice.zones_changed) == 5
    assert files(fleet) == files(other) and len(files(fleet)) == 5
    assert run(fleet).execute().changes == []


def test_the_checksum_of_plan_is_what_a_sync_in_two_passes_checks(fleet: Path) -> None:
    reviewed = run(fleet).execute()
    with pytest.raises(KolabDnsError, match=r"changed since it was reviewed.*nothing was applied"):
        run(fleet, keep_records=0).execute(apply=True, expected_checksum="0" * 64)
    assert not (fleet / ".kolab-dns" / "local").exists()
    applied = run(fleet, keep_records=0).execute(apply=True, expected_checksum=reviewed.checksum)
    assert applied.checksum == reviewed.checksum and applied.changes == reviewed.changes


def test_an_unsafe_sync_writes_nothing(fleet: Path) -> None:
    run(fleet).execute(apply=True)
    before = files(fleet)
    path = fleet / "zones" / "kolab.yaml"
    path.write_text(path.read_text().replace("  ttl: 3600", "  ttl: 600"))  # every record updated
    with pytest.raises(
        KolabDnsError, match=r"refusing an unsafe plan: .*Too many updates.*nothing was applied"
    ):
        run(fleet, keep_records=0).execute(apply=True)
    assert files(fleet) == before
    forced = run(fleet, keep_records=0).execute(apply=True, force=True)
    assert forced.count("update") > 100 and files(fleet) != before


def test_a_zone_whose_plan_changed_between_the_passes_stops_the_sync(
    fleet: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another tool writes a zone between the survey and its turn: its re-plan differs (the
    foreign TXT value is merged into ours), so nothing more is written and the error says what was."""
    real = staged.apply
    seen: list[str] = []

    def meddled(order: list[survey.Planned], *args: Any) -> None:
        seen.extend(p.zone for p in order)
        directory = fleet / ".kolab-dns" / "local"
        directory.mkdir(parents=True)
        (directory / f"{order[1].zone}.yaml").write_text(
            "---\n'':\n  type: TXT\n  value: site-verification=x\n"
        )
        real(order, *args)

    monkeypatch.setattr(staged, "apply", meddled)
    with pytest.raises(staged.PlanChanged) as caught:
        run(fleet, keep_records=0).execute(apply=True)
    first, second, *rest = seen
    assert f"the plan of {second} changed between planning and applying it (its changes differ)" in str(
        caught.value
    )
    assert f"zones written before: {first}; not written: {', '.join([second, *rest])}." in str(caught.value)
    assert sorted(files(fleet)) == sorted([f"{first}.yaml", f"{second}.yaml"])
    assert "site-verification=x" in files(fleet)[f"{second}.yaml"]


def test_few_zones_records_are_alive_at_once(fleet: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Counted at each survey of a plan and each write: with two passes, only the zone at hand;
    with every plan kept whole (one octoDNS pass), every zone by the last write."""
    counts: list[int] = []
    take, write = survey.Survey.take, LocalYamlProvider._apply

    def counting_take(self: survey.Survey, plans: list[Any]) -> list[Any]:
        counts.append(len(zones_with_records_alive()))
        return take(self, plans)

    def counting_write(self: LocalYamlProvider, plan: Any) -> None:
        counts.append(len(zones_with_records_alive()))
        write(self, plan)

    monkeypatch.setattr(survey.Survey, "take", counting_take)
    monkeypatch.setattr(LocalYamlProvider, "_apply", counting_write)
    monkeypatch.setattr(staged, "BATCH_RECORDS", 1)  # each zone planned again alone
    gc.collect()
    run(fleet, keep_records=0).execute(apply=True)
    assert len(counts) == 10 and max(counts) == 1, counts

    shutil.rmtree(fleet / ".kolab-dns")
    counts.clear()
    gc.collect()
    run(fleet, keep_records=EVERYTHING).execute(apply=True)
    assert max(counts) == 5, counts


def test_the_checksum_is_octodns_own_a_plan_at_a_time(tmp_path: Path) -> None:
    """plan_text is json.dumps(Plan.data) and checksum_of is Manager.sync's sha256 of the list,
    on a plan with a create, an update and a delete."""
    provider = LocalYamlProvider(
        "t", str(tmp_path), default_ttl=3600, enforce_order=False, escaped_semicolons=True
    )
    held = Zone("example.com.", [])
    for name, value in (("a", "192.0.2.1"), ("b", "192.0.2.2")):
        held.add_record(Record.new(held, name, {"type": "A", "ttl": 60, "value": value}))
    provider.apply(provider.plan(held))
    wanted = Zone("example.com.", [])
    for name, value in (("a", "192.0.2.9"), ("c", "192.0.2.3")):
        wanted.add_record(Record.new(wanted, name, {"type": "A", "ttl": 60, "value": value}))
    plan = provider.plan(wanted)
    assert plan is not None and sorted(plan.change_counts.values()) == [1, 1, 1]
    assert plan_text(plan) == json.dumps(plan.data)
    expected = sha256(json.dumps([plan.data, plan.data]).encode()).hexdigest()
    assert checksum_of([plan_text(plan), plan_text(plan)]) == expected
    assert checksum_of([]) is None and PlanReport(0).checksum is None


def test_the_cli_sync_of_a_fleet_is_idempotent(fleet: Path) -> None:
    result = CliRunner().invoke(cli, ["-C", str(fleet), "sync"])
    assert result.exit_code == 0 and result.stdout.startswith("Applied: 5 zones, 5 with changes")
    result = CliRunner().invoke(cli, ["-C", str(fleet), "plan"])
    assert "0 with changes" in result.stdout
