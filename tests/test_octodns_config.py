"""The source and processor work from a plain octoDNS config, through octodns-sync itself."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from .conftest import ROOT


def _sync(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    cmd = [
        str(Path(sys.executable).with_name("octodns-sync")),
        "--config-file",
        "docs/octodns-config.yaml",
        *args,
    ]
    return subprocess.run(cmd, cwd=repo, capture_output=True, text=True, timeout=120, check=False)


def test_plain_octodns_sync_applies_the_declaration_and_converges(repo: Path) -> None:
    (repo / "docs").mkdir()
    shutil.copy(ROOT / "docs" / "octodns-config.yaml", repo / "docs")
    first = _sync(repo, "--doit")
    assert first.returncode == 0, first.stderr[-2000:]
    zone = yaml.safe_load((repo / ".kolab-dns" / "octodns-example" / "klab.cc.yaml").read_text())

    def rrsets(name: str) -> dict[str, dict]:
        value = zone[name]
        return {r["type"]: r for r in (value if isinstance(value, list) else [value])}

    assert rrsets("kolab")["A"]["value"] == "185.254.79.10"
    assert rrsets("dkim1._domainkey.kolab-secondary")["CNAME"]["value"] == "dkim1._domainkey.kolab.klab.cc."
    assert rrsets("_dmarc.kolab")["TXT"]["value"].startswith("v=DMARC1\\; p=quarantine")
    assert "_kolab-dns.kolab-secondary" in zone
    second = _sync(repo)
    assert second.returncode == 0, second.stderr[-2000:]
    assert "No changes were planned" in second.stderr + second.stdout
