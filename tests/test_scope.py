"""--since plans exactly the zones whose records changed, and no others."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from click.testing import CliRunner

from kolab_dns.cli import cli
from kolab_dns.declaration import parse
from kolab_dns.located import load_text
from kolab_dns.scope import changed_zones

from .conftest import EXAMPLE

BASE = EXAMPLE.read_text() + "  - own-a.example\n  - own-b.example\n  - in-zone.klab.cc\n"


def decl(text: str):
    return parse(load_text(text, "zones/kolab.yaml"))


def test_adding_an_own_zone_domain_scopes_to_that_zone_and_the_report_zone() -> None:
    # new.example is another organization, so the report domain's zone authorizes its DMARC reports.
    assert changed_zones(decl(BASE), decl(BASE + "  - new.example\n")) == {
        "new.example": "local",
        "klab.cc": "local",
    }


def test_adding_a_domain_inside_a_listed_zone_scopes_to_that_zone() -> None:
    assert changed_zones(decl(BASE), decl(BASE + "  - new.klab.cc\n")) == {"klab.cc": "local"}


def test_removing_an_own_zone_domain_plans_its_old_zone() -> None:
    assert changed_zones(decl(BASE), decl(BASE.replace("  - own-b.example\n", ""))) == {
        "own-b.example": "local",
        "klab.cc": "local",
    }


def test_a_deployment_wide_change_plans_every_zone() -> None:
    changed = changed_zones(decl(BASE), decl(BASE.replace("p: quarantine", "p: reject")))
    assert set(changed) == {"klab.cc", "own-a.example", "own-b.example"}


def _committed(repo: Path) -> Path:
    """The repository with BASE as its declaration, committed to git; returns the declaration."""
    path = repo / "zones" / "kolab.yaml"
    path.write_text(BASE)
    for cmd in (
        ["init", "-q"],
        ["add", "-A"],
        ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "base"],
    ):
        subprocess.run(["git", "-C", str(repo), *cmd], check=True)
    return path


def test_plan_since_ref_through_git(repo: Path) -> None:
    path = _committed(repo)
    runner = CliRunner()
    assert runner.invoke(cli, ["-C", str(repo), "sync"]).exit_code == 0
    path.write_text(BASE + "  - new.example\n")
    result = runner.invoke(cli, ["-C", str(repo), "plan", "--since", "HEAD", "--format", "json"])
    data = json.loads(result.stdout)
    assert data["summary"]["zones"] == 2
    assert {c["zone"] for c in data["changes"]} == {"new.example", "klab.cc"}
    bad = runner.invoke(cli, ["-C", str(repo), "plan", "--since", "no-such-ref"])
    assert bad.exit_code == 1 and "no-such-ref" in bad.stderr


def test_since_with_a_mistyped_zone_is_refused_as_without_it(repo: Path) -> None:
    path = _committed(repo)
    path.write_text(BASE + "  - new.example\n")
    runner = CliRunner()
    for since in ([], ["--since", "HEAD"]):
        bad = runner.invoke(cli, ["-C", str(repo), "plan", *since, "--zone", "nwe.example"])
        assert bad.exit_code == 1, since
        assert bad.stderr == "kolab-dns: error: not a zone of this declaration: nwe.example\n"
    good = runner.invoke(cli, ["-C", str(repo), "plan", "--since", "HEAD", "--zone", "new.example"])
    assert good.exit_code == 0 and "Plan: 1 zones" in good.stdout
