"""The fast path against a real PowerDNS: the same plan as octoDNS alone, one GET per zone.

For each target state (unchanged; a value changed; a foreign value in a shared TXT set; a foreign
record set; a marker listing an extra record; a CNAME conflict; a TTL changed; a missing zone),
`plan` with the fast path prints what `plan` prints with every zone through octoDNS
(KOLAB_DNS_FAST_PATH=0). An unchanged fleet is read with exactly one GET per zone, through a
counting proxy on loopback.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
import yaml
from click.testing import Result

from bench.powerdns import counting_proxy
from kolab_dns.octo.engine import FAST_PATH_ENV

from .conftest import PRIMARY, MakeRepo, MakeTarget, Repo, Target
from .servers import PowerDNS

CUSTOMER = "customer.example"
ZONES = ["klab.cc", CUSTOMER]


@pytest.fixture
def fleet(pdns: MakeTarget, make_repo: MakeRepo) -> Repo:
    target = pdns(ZONES)
    repo = make_repo(target)
    repo.write(secondary=["kolab-secondary.klab.cc", CUSTOMER])
    repo.ok("sync")
    return repo


def plan(repo: Repo, fast: bool, monkeypatch: pytest.MonkeyPatch) -> Result:
    monkeypatch.setenv(FAST_PATH_ENV, "1" if fast else "0")
    return repo.run("plan", "--format", "json")


def same_plan(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> Result:
    fast, slow = plan(repo, True, monkeypatch), plan(repo, False, monkeypatch)
    assert (fast.exit_code, fast.stdout) == (slow.exit_code, slow.stdout)
    assert fast.stderr.splitlines()[-1:] == slow.stderr.splitlines()[-1:]
    return fast


def patch(target: Target, zone: str, name: str, rtype: str, contents: list[str], ttl: int = 3600) -> None:
    server = target.server
    assert isinstance(server, PowerDNS)
    server.patch_rrsets(zone, [PowerDNS.rrset(name, rtype, contents, ttl)])


def contents(target: Target, name: str, rtype: str) -> tuple[int, list[str]]:
    server = target.server
    assert isinstance(server, PowerDNS)
    zone = max((z for z in ZONES if name == z or name.endswith("." + z)), key=len)
    for rrset in server.get_zone(zone)["rrsets"]:
        if rrset["name"] == name + "." and rrset["type"] == rtype:
            return rrset["ttl"], [r["content"] for r in rrset["records"]]
    raise AssertionError(f"{name} {rtype} not on the server")


def _nothing(target: Target) -> None:
    pass


def _change_mx(target: Target) -> None:
    patch(target, CUSTOMER, CUSTOMER, "MX", ["10 mail.elsewhere.example."])


def _foreign_txt(target: Target) -> None:
    _, values = contents(target, CUSTOMER, "TXT")
    patch(target, CUSTOMER, CUSTOMER, "TXT", [*values, '"google-site-verification=abc123"'])


def _foreign_rrset(target: Target) -> None:
    patch(target, CUSTOMER, f"www.{CUSTOMER}", "A", ["192.0.2.80"])


def _marker_lists_extra(target: Target) -> None:
    ttl, (marker,) = contents(target, f"_kolab-dns.{CUSTOMER}", "TXT")
    patch(target, CUSTOMER, f"_kolab-dns.{CUSTOMER}", "TXT", [marker[:-1] + ' www/A"'], ttl)
    patch(target, CUSTOMER, f"www.{CUSTOMER}", "A", ["192.0.2.80"])


def _cname_conflict(target: Target) -> None:
    server = target.server
    assert isinstance(server, PowerDNS)
    name = f"_dmarc.{CUSTOMER}"
    server.patch_rrsets(  # PowerDNS refuses a CNAME beside other types: one PATCH swaps them
        CUSTOMER,
        [
            PowerDNS.rrset(name, "TXT", changetype="DELETE"),
            PowerDNS.rrset(name, "CNAME", ["dmarc.elsewhere.example."], 3600),
        ],
    )


def _ttl_changed(target: Target) -> None:
    ttl, values = contents(target, f"_dmarc.{PRIMARY}", "TXT")
    patch(target, "klab.cc", f"_dmarc.{PRIMARY}", "TXT", values, ttl + 60)


def _missing_zone(target: Target) -> None:
    server = target.server
    assert isinstance(server, PowerDNS)
    server.delete_zone(CUSTOMER)


SCENARIOS: dict[str, tuple[Callable[[Target], None], bool]] = {
    "unchanged": (_nothing, False),
    "one value changed": (_change_mx, True),
    "foreign value beside ours in a shared TXT": (_foreign_txt, False),
    "foreign record set": (_foreign_rrset, False),
    "marker lists an extra record": (_marker_lists_extra, True),
    "foreign CNAME at our TXT's name": (_cname_conflict, True),
    "TTL changed": (_ttl_changed, True),
    "missing zone": (_missing_zone, True),
}


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_the_fast_path_plans_what_octodns_plans(
    fleet: Repo, monkeypatch: pytest.MonkeyPatch, scenario: str
) -> None:
    change, differs = SCENARIOS[scenario]
    change(fleet.target)
    result = same_plan(fleet, monkeypatch)
    assert ('"zones_changed": 0' not in result.stdout or result.exit_code != 0) == differs, result.output


def test_an_unchanged_fleet_is_read_with_one_get_per_zone(
    fleet: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = fleet.target.server
    assert isinstance(server, PowerDNS)
    provider = fleet.root / "providers" / "pdns.yaml"
    with counting_proxy(server) as (port, counts):
        config = yaml.safe_load(provider.read_text())
        provider.write_text(yaml.safe_dump({**config, "port": port}))
        result = plan(fleet, True, monkeypatch)
        assert result.exit_code == 0 and '"zones_changed": 0' in result.stdout, result.output
        assert dict(counts) == {"GET": len(ZONES)}
        counts.clear()
        _change_mx(fleet.target)  # the changed zone goes on to octoDNS, which reuses the same read
        result = plan(fleet, True, monkeypatch)
        assert '"zones_changed": 1' in result.stdout, result.output
        assert dict(counts) == {"GET": len(ZONES)}
