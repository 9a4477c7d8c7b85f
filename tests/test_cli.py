"""The CLI on the embedded local target: exit codes, idempotence, render, add, validate."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import dns.zone
import pytest
from click.testing import CliRunner

from kolab_dns.cli import cli


def run(repo: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["-C", str(repo), *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_plan_exit_codes_and_sync_idempotence(repo: Path) -> None:
    code, out, _ = run(repo, "plan")
    assert code == 0 and out.startswith("Plan: 1 zones, 1 with changes: 38 to create")
    assert run(repo, "plan", "--detailed-exitcode")[0] == 2
    code, out, _ = run(repo, "sync")
    assert code == 0 and out.startswith("Applied: 1 zones, 1 with changes: 38 to create")
    code, out, _ = run(repo, "sync")
    assert code == 0 and "0 with changes" in out and "No changes." in out
    assert run(repo, "plan", "--detailed-exitcode")[0] == 0
    assert (repo / ".kolab-dns" / "local" / "klab.cc.yaml").exists()


def test_plan_of_several_zones_counts_them_on_stderr(repo: Path) -> None:
    assert "planned" not in run(repo, "plan")[2]  # one zone: nothing to count
    path = repo / "zones" / "kolab.yaml"
    path.write_text(path.read_text() + "".join(f"  - customer{i}.example\n" for i in range(12)))
    code, out, err = run(repo, "plan")
    lines = [line for line in err.splitlines() if "planned" in line]
    assert code == 0 and lines[-1] == "kolab-dns: planned 13/13" and "planned" not in out
    assert 2 <= len(lines) <= 11  # a line per tenth in a log, not one per zone


def test_plan_on_bad_declaration_exits_1_with_one_line(repo: Path) -> None:
    path = repo / "zones" / "kolab.yaml"
    path.write_text(path.read_text().replace("  reports:", "  report:"))
    code, out, err = run(repo, "plan", "--detailed-exitcode")
    assert code == 1 and out == ""
    assert (
        err.strip()
        .splitlines()[-1]
        .startswith("kolab-dns: error: zones/kolab.yaml:8: kolab.report: unknown key")
    )
    assert not (repo / ".kolab-dns" / "local").exists()


def test_plan_formats_and_output_file(repo: Path) -> None:
    code, out, _ = run(repo, "plan", "--format", "json")
    data = json.loads(out)
    assert data["summary"] == {"zones": 1, "zones_changed": 1, "creates": 38, "updates": 0, "deletes": 0}
    assert data["checksum"] and len(data["changes"]) == 38
    code, out, _ = run(repo, "plan", "--format", "markdown", "--output", str(repo / "plan.md"))
    assert code == 0 and out == ""
    assert (repo / "plan.md").read_text().startswith("## kolab-dns plan\n\n| zones |")


def test_sync_checksum_applies_only_the_reviewed_plan(repo: Path) -> None:
    checksum = json.loads(run(repo, "plan", "--format", "json")[1])["checksum"]
    code, _, err = run(repo, "sync", "--checksum", "0" * 64)
    assert code == 1 and "changed since it was reviewed" in err
    assert not (repo / ".kolab-dns" / "local" / "klab.cc.yaml").exists()
    assert run(repo, "sync", "--checksum", checksum)[0] == 0


def test_update_after_declaration_change(repo: Path) -> None:
    run(repo, "sync")
    path = repo / "zones" / "kolab.yaml"
    path.write_text(path.read_text().replace("max_age: 604800", "max_age: 86400"))
    data = json.loads(run(repo, "plan", "--format", "json")[1])
    assert data["summary"]["updates"] == 1 and data["summary"]["creates"] == data["summary"]["deletes"] == 0
    assert data["changes"][0]["name"] == "_mta-sts.kolab.klab.cc"


def test_render_zone_is_parsed_by_dnspython_and_named_checkzone(repo: Path) -> None:
    code, out, _ = run(repo, "render", "--format", "zone", "--soa")
    assert code == 0 and out.startswith("$ORIGIN klab.cc.\n")
    zone = dns.zone.from_text(out, relativize=False)
    assert zone.get_rdataset("kolab.klab.cc.", "MX")
    checkzone = shutil.which("named-checkzone")
    if checkzone is None:
        pytest.fail("named-checkzone is missing: `make test` installs bind9-utils")
    path = repo / "klab.cc.zone"
    path.write_text(out)
    proc = subprocess.run([checkzone, "klab.cc", str(path)], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_render_yaml_json_and_zone_selection(repo: Path) -> None:
    data = json.loads(run(repo, "render", "--format", "json", "klab.cc")[1])
    assert data["klab.cc"]["kolab"][0]["type"] == "A"
    assert run(repo, "render", "--format", "yaml", "other.example")[1] == "{}\n"


def test_add_secondary_keeps_the_rest_of_the_file(repo: Path) -> None:
    path = repo / "zones" / "kolab.yaml"
    before = path.read_text()
    code, out, _ = run(repo, "add", "secondary", "bücher.example")
    assert code == 0 and "xn--bcher-kva.example" in out
    after = path.read_text()
    assert after == before.rstrip("\n") + "\n  - bücher.example\n"
    assert run(repo, "add", "secondary", "BÜCHER.example")[0] == 1
    code, _, err = run(repo, "add", "secondary", "bad_name.example")
    assert code == 1 and "letters, digits" in err
    assert path.read_text() == after
    code, _, err = run(repo, "add", "secondary", "own.example", "--provider", "nope")
    assert code == 1 and "providers/nope.yaml" in err
    data = json.loads(run(repo, "render", "--format", "json", "xn--bcher-kva.example")[1])
    assert "" in data["xn--bcher-kva.example"]


def test_add_secondary_in_the_middle_of_a_file(repo: Path) -> None:
    path = repo / "zones" / "kolab.yaml"
    text = path.read_text().replace("primary: kolab.klab.cc\nsecondary:\n  - kolab-secondary.klab.cc\n", "")
    path.write_text(
        "primary: kolab.klab.cc\nsecondary:   # customers\n  - kolab-secondary.klab.cc  # first\n"
        "  # more below\n\n" + text
    )
    run(repo, "add", "secondary", "new.example", "--provider", "local")
    lines = path.read_text().splitlines()
    assert lines[:4] == [
        "primary: kolab.klab.cc",
        "secondary:   # customers",
        "  - kolab-secondary.klab.cc  # first",
        "  - new.example: {provider: local}",
    ]


def test_validate_checks_providers_without_contacting_them(repo: Path) -> None:
    code, out, _ = run(repo, "validate")
    assert code == 0 and "valid: 2 domains, 1 zones, 36 record sets" in out
    path = repo / "zones" / "kolab.yaml"
    path.write_text(path.read_text().replace("klab.cc: local", "klab.cc: pdns"))
    code, _, err = run(repo, "validate")
    assert code == 1 and "zones/kolab.yaml:" in err and "providers/pdns.yaml" in err
    (repo / "providers" / "pdns.yaml").write_text("class: octodns_powerdns.PowerDnsProviderr\n")
    code, _, err = run(repo, "validate")
    assert code == 1 and "providers/pdns.yaml:1: class:" in err and "does not exist" in err
    (repo / "providers" / "pdns.yaml").write_text(
        "class: octodns_powerdns.PowerDnsProvider\nhost: 127.0.0.1\napi_key: env/KOLAB_TEST_UNSET_KEY\n"
    )
    code, _, err = run(repo, "validate")
    assert (
        code == 1
        and "providers/pdns.yaml:3: api_key: environment variable KOLAB_TEST_UNSET_KEY is not set" in err
    )


def test_help_everywhere() -> None:
    for args in ([], ["plan"], ["sync"], ["render"], ["validate"], ["add"], ["add", "secondary"]):
        result = CliRunner().invoke(cli, [*args, "--help"])
        assert result.exit_code == 0 and "Usage:" in result.output
