"""Secrets never reach any output: every command, with known secrets, on real servers.

A repository with three providers, each with its secret only in the environment: PowerDNS (API
key), BIND (TSIG secret) and Cloudflare (token, against the local FakeCloudflare). Every command
runs, at default verbosity, -v and --debug, including runs that fail on purpose with a secret in
play (a wrong API key, a wrong TSIG secret, a secret fed into a numeric option, an HTTP 500).
Everything printed (stdout, stderr, logs, tracebacks) and every file written is searched for the
secret values. DKIM private keys made by `dkim new` never appear in any output either.
"""

from __future__ import annotations

import base64
import os
import re
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from kolab_dns.cli import cli

from ..integration.conftest import OCTODNS_BIND_DEPRECATIONS, shipped_declaration
from ..integration.fake_cloudflare import FakeCloudflare
from ..integration.servers import Bind, PowerDNS

ROOT = Path(__file__).resolve().parents[2]
PDNS_ZONE, BIND_ZONE, CF_ZONE = "klab.cc", "customers.example", "cf.example"
CF_TOKEN = "cf-token-" + secrets.token_hex(12)
WRONG_KEY = "wrong-api-key-" + secrets.token_hex(8)
WRONG_TSIG = base64.b64encode(secrets.token_bytes(32)).decode()


@pytest.fixture
def bind_server() -> Iterator[Bind]:
    server = Bind([BIND_ZONE])
    yield server
    server.stop()


@pytest.fixture
def cloudflare() -> Iterator[FakeCloudflare]:
    with FakeCloudflare(CF_TOKEN) as server:
        server.add_zone(CF_ZONE)
        yield server


class Transcript:
    """Runs the CLI and keeps everything it printed."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.outputs: list[tuple[str, str]] = []

    def run(self, *args: str, code: int | None = 0) -> str:
        result = CliRunner().invoke(cli, ["-C", str(self.root), *args])
        text = result.stdout + result.stderr
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            import traceback

            text += "".join(traceback.format_exception(result.exception))
        self.outputs.append((" ".join(args), text))
        if code is not None:
            assert result.exit_code == code, f"kolab-dns {' '.join(args)}:\n{text}"
        return text

    def process(self, *args: str, code: int) -> str:
        """The real entry point in its own process, so nothing escapes the capture."""
        proc = subprocess.run(
            [sys.executable, "-m", "kolab_dns.cli", "-C", str(self.root), *args],
            capture_output=True,
            text=True,
            check=False,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        text = proc.stdout + proc.stderr
        self.outputs.append(("process " + " ".join(args), text))
        assert proc.returncode == code, text
        return text

    def leaks(self, values: list[str]) -> list[str]:
        return [f"{cmd}: {v[:6]}..." for cmd, text in self.outputs for v in values if v in text]


def _write(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


@pytest.fixture
def repo(
    tmp_path: Path,
    module_pdns: PowerDNS,
    bind_server: Bind,
    cloudflare: FakeCloudflare,
    monkeypatch: pytest.MonkeyPatch,
) -> Path:
    for zone in module_pdns.list_zones():
        module_pdns.delete_zone(zone)
    module_pdns.create_zone(PDNS_ZONE)
    root = tmp_path / "repo"
    decl = shipped_declaration()
    decl["zones"] = {PDNS_ZONE: "pdns", BIND_ZONE: "bind", CF_ZONE: "cloudflare"}
    decl["secondary"] = ["kolab-secondary.klab.cc", f"one.{BIND_ZONE}", f"shop.{CF_ZONE}"]
    _write(root / "zones" / "kolab.yaml", decl)
    pdns = {"class": "octodns_powerdns.PowerDnsProvider", **module_pdns.provider_config()}
    pdns.update(api_key="env/PDNS_API_KEY", root_ns_warnings=False)
    _write(root / "providers" / "pdns.yaml", pdns)
    bind = {"class": "octodns_bind.Rfc2136Provider", **bind_server.provider_config()}
    bind["key_secret"] = "env/TSIG_SECRET"
    _write(root / "providers" / "bind.yaml", bind)
    cf = yaml.safe_load((ROOT / "providers" / "cloudflare.yaml").read_text(encoding="utf-8"))
    cf.update(api_url=cloudflare.api_url, retry_period=0, retry_count=1)
    _write(root / "providers" / "cloudflare.yaml", cf)
    monkeypatch.setenv("PDNS_API_KEY", module_pdns.api_key)
    monkeypatch.setenv("TSIG_SECRET", bind_server.key_secret)
    monkeypatch.setenv("CLOUDFLARE_TOKEN", CF_TOKEN)
    monkeypatch.setenv("CLOUDFLARE_ACCOUNT_ID", cloudflare.account_id)
    return root


def _private_parts(key: bytes) -> list[str]:
    """Base64 lines that only the private key holds: a bare ed25519 seed whole; of an RSA PEM the
    second half (its first lines encode the modulus, which the public key shares)."""
    lines = [line for line in key.decode().splitlines() if line and not line.startswith("-----")]
    private = lines if len(lines) == 1 else lines[len(lines) // 2 :]
    return [line for line in private if len(line) >= 16]


@pytest.mark.filterwarnings(*OCTODNS_BIND_DEPRECATIONS)
def test_no_secret_in_any_output(
    repo: Path,
    module_pdns: PowerDNS,
    bind_server: Bind,
    cloudflare: FakeCloudflare,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    t = Transcript(repo)
    provider_secrets = [module_pdns.api_key, bind_server.key_secret, CF_TOKEN, WRONG_KEY, WRONG_TSIG]

    # Every command, at every verbosity.
    for flags in ([], ["-v"], ["--debug"]):
        t.run(*flags, "validate")
        t.run(*flags, "validate", "--format", "json")
        t.run(*flags, "render")
        t.run(*flags, "plan")
        t.run(*flags, "plan", "--format", "json")
        t.run(*flags, "plan", "--format", "markdown", "--output", str(tmp_path / "plan.md"))
    applied = t.run("--debug", "sync")
    assert "Applied: 3 zones, 3 with changes" in applied
    assert "DEBUG" in applied and "PowerDnsProvider" in applied and "Rfc2136Provider" in applied
    t.run("-v", "sync")
    t.run("add", "secondary", f"two.{BIND_ZONE}")
    t.run("add", "secondary", "own.example", "--provider", "pdns", "--unmanaged")
    t.run("--debug", "mta-sts", "policy")
    t.run("mta-sts", "policy", "--write", str(tmp_path / "www"))
    t.run("--debug", "dkim", "new", "ed1", "--type", "ed25519")
    t.run("--debug", "dkim", "new", "rsa2", "--bits", "1024")
    for flags in ([], ["--debug"]):
        t.run(*flags, "render")
        t.run(*flags, "plan", "--format", "json")
    t.run("--debug", "sync")
    t.process("--debug", "plan", "--detailed-exitcode", code=0)

    # Errors on purpose, each with a secret in play.
    monkeypatch.setenv("PDNS_API_KEY", WRONG_KEY)
    assert "unauthorized" in t.run("--debug", "plan", code=1)
    t.run("sync", code=1)
    monkeypatch.setenv("PDNS_API_KEY", module_pdns.api_key)
    monkeypatch.setenv("TSIG_SECRET", WRONG_TSIG)
    assert "refused the TSIG key" in t.run("--debug", "sync", code=1)
    assert "Traceback (most recent call last)" in t.process("--debug", "sync", code=1)
    monkeypatch.setenv("TSIG_SECRET", bind_server.key_secret)
    cloudflare.fail_next("*", 500, count=10)
    assert "provider 'cloudflare'" in t.run("--debug", "plan", code=1)
    cloudflare.clear_requests()
    pdns_file = repo / "providers" / "pdns.yaml"
    good = pdns_file.read_text()
    pdns_file.write_text(re.sub(r"(?m)^port: \d+$", "port: env/PDNS_API_KEY", good))
    assert "rejects this configuration" in t.run("--debug", "validate", code=1)
    t.run("-v", "plan", code=1)
    pdns_file.write_text(good)

    leaks = t.leaks(provider_secrets)
    assert not leaks, f"secrets printed by: {leaks}"
    written = [p for p in repo.rglob("*") if p.is_file() and "keys" not in p.parts]
    written += [p for p in tmp_path.rglob("*") if p.is_file() and p.suffix in (".md", ".txt")]
    for path in written:
        text = path.read_text(errors="replace")
        assert not [v for v in provider_secrets if v in text], f"a secret was written to {path}"

    # DKIM private keys: never in any output.
    keys = sorted((repo / ".kolab-dns" / "keys").iterdir())
    assert [k.name for k in keys] == ["ed1.key", "rsa2.key"]
    giveaways = [line for k in keys for line in _private_parts(k.read_bytes())]
    assert len(giveaways) > 2
    leaked = [cmd for cmd, text in t.outputs for g in giveaways if g in text]
    assert not leaked, f"a DKIM private key was printed by: {leaked}"
