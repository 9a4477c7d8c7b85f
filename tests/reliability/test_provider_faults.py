"""Provider faults in the middle of a run, on real servers: each gives one clear line and exit 1,
leaves every zone either as it was or wholly written, and a plain rerun converges.

PowerDNS applies a zone's changes as one PATCH in one database transaction, and BIND applies one
RFC 2136 UPDATE message atomically, so a zone is never half-written. Faults are injected by
stopping or killing the real server, or by a proxy (proxy.py) in front of the PowerDNS API.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from kolab_dns.cli import cli

from ..integration.conftest import (
    OCTODNS_BIND_DEPRECATIONS,
    SECONDARY,
    Repo,
    Target,
    error_lines,
    shipped_declaration,
)
from ..integration.fake_cloudflare import FakeCloudflare
from ..integration.servers import Bind, PowerDNS, PowerDNSAPIError
from .proxy import Fault, FaultProxy

ROOT = Path(__file__).resolve().parents[2]
ZONES = ["klab.cc", "customers.example"]
CUSTOMER = "one.customers.example"
Dump = dict[str, set[tuple[str, int, str, str]]]


@pytest.fixture
def server(module_pdns: PowerDNS) -> Iterator[PowerDNS]:
    """The module's PowerDNS, running, holding just the two zones (empty but SOA and NS)."""
    if not module_pdns.is_ours():
        module_pdns.restart()
    for zone in module_pdns.list_zones():
        module_pdns.delete_zone(zone)
    for zone in ZONES:
        module_pdns.create_zone(zone)
    yield module_pdns
    if not module_pdns.is_ours():  # a test that stopped it and failed before restarting
        module_pdns.restart()


@pytest.fixture
def proxy(server: PowerDNS) -> Iterator[FaultProxy]:
    with FaultProxy(server.api_port) as p:
        yield p


def _repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, server: PowerDNS, port: int) -> Repo:
    root = tmp_path / "repo"
    (root / "zones").mkdir(parents=True)
    (root / "providers").mkdir()
    monkeypatch.setenv("PDNS_API_KEY", server.api_key)
    repo = Repo(root, Target("pdns", server, ZONES))
    _point(repo, port)
    repo.write(zones={z: "pdns" for z in ZONES}, secondary=[SECONDARY, CUSTOMER])
    return repo


def _point(repo: Repo, port: int, timeout: int = 2) -> None:
    """providers/pdns.yaml aimed at a port: the server's own, or the proxy's."""
    config = {
        "class": "octodns_powerdns.PowerDnsProvider",
        "host": "127.0.0.1",
        "port": port,
        "api_key": "env/PDNS_API_KEY",
        "timeout": timeout,
        "enable_dynamic": False,
        "root_ns_warnings": False,
    }
    (repo.root / "providers" / "pdns.yaml").write_text(yaml.safe_dump(config))


def _dump(server: PowerDNS) -> Dump:
    target = Target("pdns", server, ZONES)
    return {z: target.dump(z) for z in ZONES}


def _one_error(repo: Repo, *args: str) -> str:
    result = repo.run(*args)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.stdout == ""
    (line,) = error_lines(result)
    assert result.stderr.strip().splitlines()[-1] == line
    assert not [x for x in result.stderr.splitlines() if not x.startswith("kolab-dns: ")], result.stderr
    return line


def _converges(repo: Repo) -> None:
    """A plain rerun applies what is missing; the plan after it is empty."""
    repo.ok("sync")
    again = repo.run("plan", "--detailed-exitcode")
    assert again.exit_code == 0, again.output
    assert "No changes." in again.stdout


# --- unreachable ---------------------------------------------------------------------------------


def test_unreachable_powerdns(server: PowerDNS, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = _repo(tmp_path, monkeypatch, server, server.api_port)
    server.halt()
    for command in ("plan", "sync"):
        line = _one_error(repo, command)
        assert "provider 'pdns' (providers/pdns.yaml) failed reading zone" in line, line
        assert f"cannot reach 127.0.0.1:{server.api_port}: connection refused" in line, line
        assert "nothing was written" in line, line

    server.restart()
    _point(repo, server.api_port)
    _converges(repo)


# --- HTTP 500 and a timeout through the proxy ----------------------------------------------------


def _patched_zone(path: str) -> str:
    return path.rsplit("/", 1)[1].rstrip(".")


def test_http_500_on_the_second_zone_leaves_it_untouched(
    server: PowerDNS, proxy: FaultProxy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = _repo(tmp_path, monkeypatch, server, proxy.port)
    before = _dump(server)
    proxy.faults.append(Fault("PATCH", 2, "500"))

    line = _one_error(repo, "sync")

    first, second = (_patched_zone(s.path) for s in proxy.seen if s.method == "PATCH")
    assert f"provider 'pdns' (providers/pdns.yaml) failed writing zone {second}" in line, line
    assert "HTTP 500" in line and "injected fault" in line, line
    assert f"Zones written before: {first}; not written: none" in line, line
    assert f"the server refused the write, so {second} is unchanged" in line, line
    after = _dump(server)
    assert after[second] == before[second]  # the failed zone: untouched
    assert after[first] != before[first]  # the zone before it: written
    _converges(repo)
    assert _dump(server)[first] == after[first]  # and it was written wholly


def test_timeout_mid_sync_then_rerun_converges(
    server: PowerDNS, proxy: FaultProxy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The PATCH reaches PowerDNS, the answer never comes back: the client cannot know whether
    it was applied, says so, and the rerun finds out."""
    repo = _repo(tmp_path, monkeypatch, server, proxy.port)
    _point(repo, proxy.port, timeout=1)
    before = _dump(server)
    proxy.faults.append(Fault("PATCH", 1, "stall"))

    line = _one_error(repo, "sync")

    first = next(_patched_zone(s.path) for s in proxy.seen if s.method == "PATCH")
    assert f"failed writing zone {first}: no answer within 1 s (timeout)" in line, line
    assert f"{first} holds all of the change or none of it" in line, line
    stalled = _dump(server)
    others = [z for z in ZONES if z != first]
    assert all(stalled[z] == before[z] for z in others), "a zone after the failed one was written"
    _converges(repo)
    final = _dump(server)
    assert stalled[first] in (before[first], final[first]), "the stalled zone is half-written"


def test_a_powerdns_patch_is_all_or_nothing(server: PowerDNS) -> None:
    """The premise of 'never half-written': PowerDNS rejects a PATCH whose last rrset is invalid
    without applying the valid ones before it."""
    before = _dump(server)["klab.cc"]
    valid = [PowerDNS.rrset(f"host{i}.klab.cc", "A", [f"192.0.2.{i}"]) for i in range(1, 20)]
    invalid = PowerDNS.rrset("bad.klab.cc", "A", ["not-an-address"])
    with pytest.raises(PowerDNSAPIError) as refused:
        server.patch_rrsets("klab.cc", [*valid, invalid])
    assert refused.value.status == 422
    assert _dump(server)["klab.cc"] == before
    server.patch_rrsets("klab.cc", valid)
    assert _dump(server)["klab.cc"] != before


# --- PowerDNS killed with a write in flight --------------------------------------------------------


def test_powerdns_killed_mid_sync(
    server: PowerDNS, proxy: FaultProxy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = _repo(tmp_path, monkeypatch, server, proxy.port)
    before = _dump(server)
    proxy.faults.append(Fault("PATCH", 2, "kill", kill=server.kill))

    line = _one_error(repo, "sync")

    first, second = (_patched_zone(s.path) for s in proxy.seen if s.method == "PATCH")
    assert f"failed writing zone {second}: " in line, line
    assert "the connection was reset" in line or "closed the connection without answering" in line, line
    assert f"Zones written before: {first}" in line, line

    server.restart()
    proxy.upstream_port = server.api_port
    killed = _dump(server)
    assert killed[first] != before[first]
    _converges(repo)
    final = _dump(server)
    assert killed[first] == final[first]
    assert killed[second] in (before[second], final[second]), "the zone being written is half-written"


# --- BIND refusing the TSIG key -----------------------------------------------------------------


@pytest.fixture
def bind_server() -> Iterator[Bind]:
    server = Bind(["klab.cc"])
    yield server
    server.stop()


@pytest.mark.filterwarnings(*OCTODNS_BIND_DEPRECATIONS)
def test_bind_refuses_a_wrong_tsig_secret(
    bind_server: Bind, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = Target("bind", bind_server, ["klab.cc"])
    root = tmp_path / "repo"
    (root / "zones").mkdir(parents=True)
    (root / "providers").mkdir()
    (root / "providers" / "bind.yaml").write_text(yaml.safe_dump(target.provider_file()))
    wrong = base64.b64encode(b"not the key named in named.conf!").decode()
    monkeypatch.setenv(target.env_var, wrong)
    repo = Repo(root, target)
    repo.write()
    before = target.dump("klab.cc")

    for command in ("plan", "sync"):
        line = _one_error(repo, command)
        assert "provider 'bind' (providers/bind.yaml) failed reading zone klab.cc" in line, line
        assert "zone transfer" in line.lower() and "nothing was written" in line, line
        assert "the server refused the TSIG key" in line, line
        assert wrong not in line
    assert target.dump("klab.cc") == before

    monkeypatch.setenv(target.env_var, bind_server.key_secret)
    _converges(repo)


# --- Cloudflare: one request per record, so a zone can be left partly written --------------------


def test_cloudflare_failing_mid_zone_is_reported_and_a_rerun_converges(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cloudflare cannot apply a zone atomically: the line says the zone may hold part of the
    change, and the rerun completes it."""
    token = "cf-token-faults-9d2c"
    with FakeCloudflare(token) as fake:
        fake.add_zone("klab.cc")
        posts = 0
        take_fault = fake._take_fault

        def fifth_record_post_fails(method: str, path: str) -> int | None:
            nonlocal posts
            if method == "POST" and path.endswith("/dns_records"):
                posts += 1
                if posts == 5:
                    return 500
            return take_fault(method, path)

        monkeypatch.setattr(fake, "_take_fault", fifth_record_post_fails)
        root = tmp_path / "repo"
        (root / "zones").mkdir(parents=True)
        (root / "providers").mkdir()
        cf = yaml.safe_load((ROOT / "providers" / "cloudflare.yaml").read_text(encoding="utf-8"))
        cf.update(api_url=fake.api_url, retry_period=0, retry_count=1)
        (root / "providers" / "cloudflare.yaml").write_text(yaml.safe_dump(cf))
        monkeypatch.setenv("CLOUDFLARE_TOKEN", token)
        monkeypatch.setenv("CLOUDFLARE_ACCOUNT_ID", fake.account_id)
        decl = shipped_declaration()
        decl["zones"] = {"klab.cc": "cloudflare"}
        (root / "zones" / "kolab.yaml").write_text(yaml.safe_dump(decl))

        result = CliRunner().invoke(cli, ["-C", str(root), "sync"])
        assert result.exit_code == 1, result.output
        (line,) = error_lines(result)
        assert "provider 'cloudflare' (providers/cloudflare.yaml) failed writing zone klab.cc" in line, line
        assert "klab.cc may hold part of the change" in line, line
        assert token not in result.output
        assert 0 < len(fake.records("klab.cc")) < 38  # partly written: Cloudflare's nature

        assert CliRunner().invoke(cli, ["-C", str(root), "sync"]).exit_code == 0
        again = CliRunner().invoke(cli, ["-C", str(root), "plan", "--detailed-exitcode"])
        assert again.exit_code == 0, again.output
