"""Every broken declaration or provider file in tests/bad/ fails the same way, before any write.

Each case is a directory holding the files of a repository (zones/kolab.yaml, providers/*.yaml,
key files) and expect.yaml naming the file, line and key the error must point at. The real CLI
runs `plan` and `sync` on each against a live PowerDNS: one line `file:line: key: message` on
stderr, exit 1, no traceback, and the server's zones byte for byte as they were.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from kolab_dns.cli import cli

from ..integration.servers import PowerDNS

BAD = Path(__file__).resolve().parents[1] / "bad"
CASES = sorted(p for p in BAD.iterdir() if (p / "expect.yaml").is_file())
ZONE = "klab.cc"
UNSET = "KOLAB_DNS_TEST_UNSET_KEY"  # named by the missing-secret case; never set


def test_there_are_at_least_40_cases() -> None:
    assert len(CASES) >= 40


@pytest.fixture(scope="module")
def server(module_pdns: PowerDNS) -> PowerDNS:
    """klab.cc exists on PowerDNS with one foreign record, so a dump has something to compare."""
    module_pdns.create_zone(ZONE)
    module_pdns.patch_rrsets(ZONE, [PowerDNS.rrset("www.klab.cc", "A", ["192.0.2.80"])])
    return module_pdns


def _state(server: PowerDNS) -> dict[str, Any]:
    """Every zone on the server with all its rrsets (SOA serial included: it moves on any write)."""
    zones = server.list_zones()
    return {z: sorted(map(repr, server.get_zone(z)["rrsets"])) for z in zones}


def _repo(case: Path, tmp_path: Path, server: PowerDNS) -> Path:
    root = tmp_path / case.name
    shutil.copytree(case, root, ignore=shutil.ignore_patterns("expect.yaml"))
    providers = root / "providers"
    providers.mkdir(exist_ok=True)
    pdns = providers / "pdns.yaml"
    if not pdns.exists():
        config = {"class": "octodns_powerdns.PowerDnsProvider", **server.provider_config()}
        config["api_key"] = "env/PDNS_API_KEY"
        pdns.write_text(yaml.safe_dump(config))
    text = pdns.read_text().replace("@HOST@", "127.0.0.1").replace("@PORT@", str(server.api_port))
    pdns.write_text(text)
    return root


@pytest.fixture
def env(server: PowerDNS, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("PDNS_API_KEY", server.api_key)
    monkeypatch.delenv(UNSET, raising=False)
    yield


def _expected(case: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((case / "expect.yaml").read_text(encoding="utf-8"))
    return data


@pytest.mark.usefixtures("env")
@pytest.mark.parametrize("command", ["plan", "sync"])
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_case(case: Path, command: str, server: PowerDNS, tmp_path: Path) -> None:
    expect = _expected(case)
    root = _repo(case, tmp_path, server)
    before = _state(server)

    result = CliRunner().invoke(cli, ["-C", str(root), command])

    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    prefix = f"kolab-dns: error: {expect['file']}:{expect['line']}: {expect['key']}: "
    assert lines[0].startswith(prefix), f"\n{lines[0]}\nexpected prefix\n{prefix}"
    assert expect["message"] in lines[0][len(prefix) :], lines[0]
    assert _state(server) == before


@pytest.mark.usefixtures("env")
def test_the_unbroken_declaration_would_write(server: PowerDNS, tmp_path: Path) -> None:
    """Control: the cases' base declaration, unbroken, has changes to push to this very server,
    so 'the server is unchanged' above is a real check."""
    good = tmp_path / "good"
    (good / "zones").mkdir(parents=True)
    base = (BAD / "dkim-garbage" / "zones" / "kolab.yaml").read_text()
    key = (Path(__file__).resolve().parents[2] / "zones" / "kolab.yaml").read_text()
    dkim = next(line for line in key.splitlines() if "dkim1:" in line)
    good_text = "\n".join(dkim if "dkim1:" in line else line for line in base.splitlines())
    (good / "zones" / "kolab.yaml").write_text(good_text + "\n")
    root = _repo(good, tmp_path / "r", server)
    result = CliRunner().invoke(cli, ["-C", str(root), "plan", "--detailed-exitcode"])
    assert result.exit_code == 2, result.output
    assert "to create" in result.stdout


@pytest.mark.usefixtures("env")
def test_a_real_process_prints_one_line_and_no_traceback(server: PowerDNS, tmp_path: Path) -> None:
    """The installed entry point, not just click's test runner."""
    case = BAD / "yaml-unclosed-quote"
    expect = _expected(case)
    root = _repo(case, tmp_path, server)
    proc = subprocess.run(
        [sys.executable, "-m", "kolab_dns.cli", "-C", str(root), "sync"],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert proc.stderr.startswith(f"kolab-dns: error: {expect['file']}:{expect['line']}: {expect['key']}: ")
    assert proc.stderr.count("\n") == 1
