"""How long `kolab-dns check` takes for N secondary domains against a local PowerDNS.

Starts PowerDNS on loopback, syncs a generated declaration (N secondaries, half inside the
primary's zone and half zones of their own) with kolab-dns, then times `kolab-dns check
--nameserver` in a subprocess. Usage: python bench/check_fleet.py [N] [RUNS]
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.integration.servers import PowerDNS  # noqa: E402


def declaration(n: int) -> dict[str, object]:
    with open(ROOT / "zones" / "kolab.yaml", encoding="utf-8") as fh:
        decl: dict[str, object] = yaml.safe_load(fh)
    kolab = decl["kolab"]
    assert isinstance(kolab, dict)
    kolab["kolab_verify"] = True
    decl["zones"] = {"klab.cc": "pdns", "79.254.185.in-addr.arpa": "pdns"}
    decl["default_provider"] = "pdns"
    decl["secondary"] = [f"s{i}.klab.cc" if i % 2 else f"customer{i}.example" for i in range(n)]
    return decl


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    # No policy web server here: aim the MTA-STS fetch at a closed loopback port (one quick `fail`)
    # rather than at the example's real address on the internet.
    env = {**os.environ, "PYTHONPATH": str(ROOT), "KOLAB_DNS_HTTPS_CONNECT": "127.0.0.1:9"}
    with PowerDNS() as server, tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp)
        (repo / "zones").mkdir()
        (repo / "providers").mkdir()
        conf = {"class": "octodns_powerdns.PowerDnsProvider", **server.provider_config()}
        conf["api_key"] = "env/PDNS_API_KEY"
        env["PDNS_API_KEY"] = server.api_key
        (repo / "providers" / "pdns.yaml").write_text(yaml.safe_dump(conf))
        (repo / "zones" / "kolab.yaml").write_text(yaml.safe_dump(declaration(n), sort_keys=False))
        for zone in ("klab.cc", "79.254.185.in-addr.arpa"):
            server.create_zone(zone)
        cli = [sys.executable, "-m", "kolab_dns.cli", "-C", str(repo)]
        started = time.monotonic()
        subprocess.run([*cli, "sync"], env=env, check=True, capture_output=True)
        print(f"sync of {n} secondaries: {time.monotonic() - started:.1f} s", flush=True)
        ns = f"127.0.0.1:{server.dns_port}"
        for run in range(runs):
            started = time.monotonic()
            argv = [*cli, "check", "--nameserver", ns, "--format", "json"]
            done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
            elapsed = time.monotonic() - started
            summary = yaml.safe_load(done.stdout)["summary"]
            print(f"run {run + 1}: {n + 1} domains in {elapsed:.1f} s, exit {done.returncode}, {summary}")


if __name__ == "__main__":
    main()
