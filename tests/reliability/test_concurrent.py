"""Two syncs at once on one repository: the second is refused at once, in one clear line, while the
first (a real process held mid-write by the proxy) goes on and completes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from ..integration.conftest import Repo, Target, error_lines
from ..integration.servers import PowerDNS
from .proxy import Fault, FaultProxy

ROOT = Path(__file__).resolve().parents[2]


def test_a_second_sync_is_refused_while_the_first_is_writing(
    module_pdns: PowerDNS, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for zone in module_pdns.list_zones():
        module_pdns.delete_zone(zone)
    module_pdns.create_zone("klab.cc")
    with FaultProxy(module_pdns.api_port, [Fault("PATCH", 1, "hold")]) as proxy:
        root = tmp_path / "repo"
        (root / "zones").mkdir(parents=True)
        config = {
            "class": "octodns_powerdns.PowerDnsProvider",
            "host": "127.0.0.1",
            "port": proxy.port,
            "api_key": "env/PDNS_API_KEY",
            "timeout": 30,
            "root_ns_warnings": False,
        }
        (root / "providers").mkdir()
        (root / "providers" / "pdns.yaml").write_text(yaml.safe_dump(config))
        monkeypatch.setenv("PDNS_API_KEY", module_pdns.api_key)
        repo = Repo(root, Target("pdns", module_pdns, ["klab.cc"]))
        repo.write()
        first = subprocess.Popen(
            [sys.executable, "-m", "kolab_dns.cli", "-C", str(root), "sync"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        try:
            assert proxy.held.wait(30), "the first sync never reached its write"
            before = module_pdns.get_zone("klab.cc")["rrsets"]

            second = repo.run("sync")

            assert second.exit_code == 1
            (line,) = error_lines(second)
            assert line == (
                f"kolab-dns: error: another kolab-dns sync is running on this repository "
                f"(pid {first.pid}); wait for it to finish, then run again"
            )
            assert second.stdout == ""
            assert module_pdns.get_zone("klab.cc")["rrsets"] == before
            proxy.release()
            out, err = first.communicate(timeout=60)
        finally:
            if first.poll() is None:
                first.kill()
                first.wait()
        assert first.returncode == 0, err
        assert out.startswith("Applied: 1 zones, 1 with changes")
        again = repo.run("plan", "--detailed-exitcode")
        assert again.exit_code == 0, again.output
