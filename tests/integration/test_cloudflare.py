"""kolab-dns on Cloudflare, end to end: the real CLI, the real octodns-cloudflare provider, and a
local stand-in for the Cloudflare API (FakeCloudflare) reached through the provider's `api_url`.

The repository under test uses the shipped providers/cloudflare.yaml with only `api_url` (and a
zero retry wait) added; the token and account id come from the environment.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml
from click.testing import CliRunner, Result

from kolab_dns.cli import cli

from .fake_cloudflare import FakeCloudflare

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "cf-token-3c8e41f0d2b7"  # distinctive, so a leak into the output would show
FILLER_ZONES = [f"filler{i}.example" for i in range(6)]  # 7+ zones: zone listing takes 2 pages
PRIMARY, SECONDARY, CUSTOMER = "kolab.klab.cc", "kolab-secondary.klab.cc", "customer.example"
SITE_VERIFICATION = "google-site-verification=rXOxyZounnZasA8Z7oaD3c14JdjS9aKSWvsR1EbUSIQ"

# Someone else's records in klab.cc, all on Cloudflare's automatic TTL (the seed default, ttl=1).
FOREIGN_KLAB = [
    {"type": "A", "name": "@", "content": "192.0.2.80"},
    {"type": "A", "name": "www", "content": "192.0.2.80"},
    {"type": "TXT", "name": "_acme-challenge", "content": "Ox3d9PqH1uE6cW5Zr2Tn8yVb0KmLa4Sj7Gf"},
]


# --- fixtures and helpers ------------------------------------------------------------------------


@pytest.fixture
def fake() -> Iterator[FakeCloudflare]:
    # reject_apex_ns=False is today's Cloudflare (it stores an apex NS): one sent would show up.
    with FakeCloudflare(TOKEN, max_per_page=5, require_account_id=True, reject_apex_ns=False) as server:
        for name in FILLER_ZONES:
            server.add_zone(name)
        server.seed("klab.cc", FOREIGN_KLAB)
        yield server


@pytest.fixture
def repo(tmp_path: Path, fake: FakeCloudflare, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The shipped declaration on Cloudflare, a customer zone of its own, declared nameservers."""
    (tmp_path / "zones").mkdir()
    (tmp_path / "providers").mkdir()
    decl = yaml.safe_load((ROOT / "zones" / "kolab.yaml").read_text(encoding="utf-8"))
    decl["kolab"]["nameservers"] = ["ns1.kolab.example"]
    decl["zones"] = {"klab.cc": "cloudflare"}
    decl["secondary"] = [SECONDARY, {CUSTOMER: {"provider": "cloudflare"}}]
    _write_yaml(tmp_path / "zones" / "kolab.yaml", decl)
    provider = yaml.safe_load((ROOT / "providers" / "cloudflare.yaml").read_text(encoding="utf-8"))
    provider.update(api_url=fake.api_url, retry_period=0)
    _write_yaml(tmp_path / "providers" / "cloudflare.yaml", provider)
    monkeypatch.setenv("CLOUDFLARE_TOKEN", TOKEN)
    monkeypatch.setenv("CLOUDFLARE_ACCOUNT_ID", fake.account_id)
    return tmp_path


def _write_yaml(path: Path, data: Any) -> None:
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def declare(repo: Path, change: Callable[[dict[str, Any]], None]) -> None:
    """Edit the declaration as a user would."""
    path = repo / "zones" / "kolab.yaml"
    decl = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(decl)
    _write_yaml(path, decl)


def run(repo: Path, *args: str) -> Result:
    result = CliRunner().invoke(cli, ["-C", str(repo), *args])
    assert TOKEN not in result.output
    return result


def plan(repo: Path, *args: str) -> tuple[int, dict[str, Any]]:
    result = run(repo, "plan", "--format", "json", "--detailed-exitcode", *args)
    assert result.exit_code in (0, 2), result.output
    return result.exit_code, json.loads(result.stdout)


def sync(repo: Path, *args: str) -> dict[str, Any]:
    result = run(repo, "sync", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def changes(report: dict[str, Any]) -> set[tuple[str, str, str]]:
    return {(c["action"], c["name"], c["type"]) for c in report["changes"]}


def writes(fake: FakeCloudflare) -> Counter[str]:
    return Counter(r.method for r in fake.write_requests())


def assert_converged(repo: Path, fake: FakeCloudflare) -> None:
    """Nothing left to do: the plan is empty and a sync writes nothing."""
    code, report = plan(repo)
    assert (code, report["changes"]) == (0, [])
    fake.clear_requests()
    assert sync(repo)["changes"] == []
    assert fake.write_requests() == []


def txt(content: str) -> str:
    """A TXT value as written: octoDNS sends quoted 255-byte strings, Cloudflare keeps them."""
    parts = re.findall(r'"((?:[^"\\]|\\.)*)"', content)
    return "".join(parts) if parts else content


def stored(fake: FakeCloudflare, zone: str) -> dict[tuple[str, str], list[dict[str, Any]]]:
    out: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for r in fake.records(zone):
        out.setdefault((r["name"], r["type"]), []).append(r)
    return out


def dashboard(fake: FakeCloudflare, zone: str, name: str, rtype: str, **fields: Any) -> None:
    """Change a record as a user in the Cloudflare dashboard would (one PATCH per record)."""
    zone_id = fake.zone(zone)["id"]  # type: ignore[index]
    targets = [r for r in fake.records(zone) if (r["name"], r["type"]) == (name, rtype)]
    assert targets, (name, rtype)
    with requests.Session() as s:
        for r in targets:
            resp = s.patch(
                f"{fake.api_url}/zones/{zone_id}/dns_records/{r['id']}",
                json=fields,
                headers={"Authorization": f"Bearer {TOKEN}"},
                timeout=5,
            )
            assert resp.status_code == 200, resp.text
    fake.clear_requests()


def foreign_klab(fake: FakeCloudflare) -> dict[str, dict[str, Any]]:
    """The seeded foreign records of klab.cc by id, as Cloudflare holds them now."""
    contents = {f["content"] for f in FOREIGN_KLAB}
    return {r["id"]: r for r in fake.records("klab.cc") if r["content"] in contents}


def kolab_records(fake: FakeCloudflare, foreign_ids: set[str]) -> list[dict[str, Any]]:
    return [r for z in ("klab.cc", CUSTOMER) for r in fake.records(z) if r["id"] not in foreign_ids]


@pytest.fixture
def synced(repo: Path, fake: FakeCloudflare) -> dict[str, Any]:
    """The first sync done; returns its report."""
    report = sync(repo)
    fake.clear_requests()
    return report


# --- the shipped example -------------------------------------------------------------------------


def test_shipped_example_reads_secrets_from_env_and_turns_pagerules_off() -> None:
    conf = yaml.safe_load((ROOT / "providers" / "cloudflare.yaml").read_text(encoding="utf-8"))
    assert conf["class"] == "octodns_cloudflare.CloudflareProvider"
    assert conf["token"] == "env/CLOUDFLARE_TOKEN"
    assert conf["account_id"] == "env/CLOUDFLARE_ACCOUNT_ID"  # required: no default
    assert conf["pagerules"] is False and conf["cdn"] is False
    # a 429 blocks the API user for up to 5 minutes: the retries wait at least that long
    assert (conf["retry_count"] - 1) * conf["retry_period"] >= 300
    assert "api_url" not in conf


def test_unset_secrets_stop_before_any_request(
    repo: Path, fake: FakeCloudflare, monkeypatch: pytest.MonkeyPatch
) -> None:
    for var in ("CLOUDFLARE_ACCOUNT_ID", "CLOUDFLARE_TOKEN"):
        monkeypatch.delenv(var)
        result = run(repo, "plan")
        assert result.exit_code == 1
        assert f"environment variable {var} is not set" in result.output
    assert fake.requests == []


# --- sync: create, converge, update, delete ------------------------------------------------------


def test_first_sync_creates_everything_and_the_second_run_does_nothing(
    repo: Path, fake: FakeCloudflare
) -> None:
    foreign = foreign_klab(fake)
    code, planned = plan(repo)
    assert code == 2
    assert {c["action"] for c in planned["changes"]} == {"create"}
    assert {c["zone"] for c in planned["changes"]} == {"klab.cc", CUSTOMER}
    assert all(c["type"] != "NS" for c in planned["changes"])  # despite kolab.nameservers
    assert not any(r.method != "GET" for r in fake.requests)  # a plan only reads

    fake.clear_requests()
    applied = sync(repo)
    assert applied["changes"] == planned["changes"]

    # customer.example did not exist: created through POST /zones, in the configured account
    assert [r.path for r in fake.write_requests() if r.path == "/zones"] == ["/zones"]
    zone = fake.zone(CUSTOMER)
    assert zone is not None and zone["account"]["id"] == fake.account_id
    # one POST per record value, nothing else written
    values = sum(len(c["new"]) for c in planned["changes"])
    assert writes(fake) == Counter({"POST": values + 1})
    ours = kolab_records(fake, set(foreign))
    assert len(ours) == values
    assert {(r["name"], r["type"]) for r in ours} == {(c["name"], c["type"]) for c in planned["changes"]}
    assert all(r["ttl"] == 3600 for r in ours)

    # what Cloudflare holds is what the declaration says
    klab, customer = stored(fake, "klab.cc"), stored(fake, CUSTOMER)
    assert [(r["content"], r["priority"]) for r in klab[(PRIMARY, "MX")]] == [(PRIMARY, 10)]
    assert [r["content"] for r in klab[(PRIMARY, "A")]] == ["185.254.79.10"]
    assert txt(klab[(f"_dmarc.{PRIMARY}", "TXT")][0]["content"]).startswith("v=DMARC1; p=quarantine;")
    assert klab[(f"dkim1._domainkey.{SECONDARY}", "CNAME")][0]["content"] == f"dkim1._domainkey.{PRIMARY}"
    assert [txt(r["content"]) for r in customer[(CUSTOMER, "TXT")]] == [f"v=spf1 mx include:{PRIMARY} -all"]
    assert customer[(f"_imaps._tcp.{CUSTOMER}", "SRV")][0]["data"]["port"] == 993
    assert (f"_kolab-dns.{CUSTOMER}", "TXT") in customer

    # no NS record anywhere; the foreign records untouched (same id, content, TTL 1, timestamps)
    assert all(r["type"] != "NS" for z in fake.zones() for r in fake.records(z["name"]))
    assert {r["id"]: r for r in fake.records("klab.cc") if r["id"] in foreign} == foreign

    # pagination exercised for zones and records; page rules never asked for
    pages = [(r.path, r.query.get("page")) for r in fake.requests if r.method == "GET"]
    assert ("/zones", "2") in pages
    fake.clear_requests()
    assert_converged(repo, fake)
    klab_id, customer_id = fake.zone("klab.cc")["id"], zone["id"]  # type: ignore[index]
    pages = [(r.path, r.query.get("page")) for r in fake.requests if r.method == "GET"]
    assert (f"/zones/{klab_id}/dns_records", "2") in pages
    assert (f"/zones/{customer_id}/dns_records", "2") in pages
    assert all("pagerules" not in r.path for r in fake.requests)
    assert all(r["id"] in foreign or r["id"] in {o["id"] for o in ours} for r in fake.records("klab.cc"))


def test_dmarc_policy_change_updates_exactly_the_dmarc_records(
    repo: Path, fake: FakeCloudflare, synced: dict[str, Any]
) -> None:
    declare(repo, lambda d: d["kolab"]["dmarc"].update(p="reject"))
    code, report = plan(repo)
    assert code == 2
    assert changes(report) == {("update", f"_dmarc.{d}", "TXT") for d in (PRIMARY, SECONDARY, CUSTOMER)}
    assert all(c["new"][0].startswith("v=DMARC1; p=reject;") for c in report["changes"])

    sync(repo)
    assert writes(fake) == Counter({"PUT": 3})
    for zone, domain in (("klab.cc", PRIMARY), ("klab.cc", SECONDARY), (CUSTOMER, CUSTOMER)):
        (dmarc,) = stored(fake, zone)[(f"_dmarc.{domain}", "TXT")]
        assert txt(dmarc["content"]).startswith("v=DMARC1; p=reject;") and dmarc["ttl"] == 3600
    assert_converged(repo, fake)


def test_ttl_change_updates_every_kolab_record_and_nothing_else(
    repo: Path, fake: FakeCloudflare, synced: dict[str, Any]
) -> None:
    foreign = foreign_klab(fake)
    declare(repo, lambda d: d["kolab"].update(ttl=7200))
    code, report = plan(repo)
    assert code == 2
    assert changes(report) == {("update", c["name"], c["type"]) for c in synced["changes"]}
    assert {c["ttl"] for c in report["changes"]} == {7200}

    # most of each zone changes at once: octoDNS calls that unsafe, and kolab-dns refuses
    refused = run(repo, "sync")
    assert refused.exit_code == 1 and "refusing an unsafe plan" in refused.output
    assert fake.write_requests() == []

    sync(repo, "--force")
    ours = kolab_records(fake, set(foreign))
    assert writes(fake) == Counter({"PUT": len(ours)})  # one PUT per record value
    assert {r["ttl"] for r in ours} == {7200}
    assert {r["id"]: r for r in fake.records("klab.cc") if r["id"] in foreign} == foreign
    assert_converged(repo, fake)


def test_removed_records_are_deleted_and_nothing_else(
    repo: Path, fake: FakeCloudflare, synced: dict[str, Any]
) -> None:
    marker = ("update", f"_kolab-dns.{PRIMARY}", "TXT")
    declare(repo, lambda d: d["kolab"].update(ipv6=["2001:db8::25"]))
    assert changes(plan(repo)[1]) == {("create", PRIMARY, "AAAA"), marker}
    sync(repo)
    assert writes(fake) == Counter({"POST": 1, "PUT": 1})
    assert [r["content"] for r in stored(fake, "klab.cc")[(PRIMARY, "AAAA")]] == ["2001:db8::25"]
    fake.clear_requests()

    declare(repo, lambda d: d["kolab"].update(ipv6=[]))
    assert changes(plan(repo)[1]) == {("delete", PRIMARY, "AAAA"), marker}
    sync(repo)
    assert writes(fake) == Counter({"DELETE": 1, "PUT": 1})
    assert (PRIMARY, "AAAA") not in stored(fake, "klab.cc")
    assert_converged(repo, fake)


def test_dropping_a_secondary_domain_deletes_what_kolab_dns_published_for_it(
    repo: Path, fake: FakeCloudflare, synced: dict[str, Any]
) -> None:
    before = stored(fake, "klab.cc")
    declare(repo, lambda d: d["secondary"].remove(SECONDARY))
    expected = {("delete", c["name"], c["type"]) for c in synced["changes"] if c["name"].endswith(SECONDARY)}
    assert changes(plan(repo)[1]) == expected
    fake.clear_requests()
    sync(repo, "--force")  # a large share of klab.cc goes: octoDNS wants --force
    gone = [r for (name, _), rs in before.items() if name.endswith(SECONDARY) for r in rs]
    assert writes(fake) == Counter({"DELETE": len(gone)})
    assert stored(fake, "klab.cc") == {k: v for k, v in before.items() if not k[0].endswith(SECONDARY)}
    assert_converged(repo, fake)


# --- Cloudflare specifics: automatic TTL, proxying, shared TXT, retries --------------------------


def test_auto_ttl_records_cause_no_endless_diff(
    repo: Path, fake: FakeCloudflare, synced: dict[str, Any]
) -> None:
    foreign = foreign_klab(fake)
    # In the dashboard: two kolab-dns record sets switched to automatic TTL, the mail host proxied.
    dashboard(fake, "klab.cc", PRIMARY, "MX", ttl=1)
    dashboard(fake, "klab.cc", f"_dmarc.{PRIMARY}", "TXT", ttl=1)
    dashboard(fake, "klab.cc", PRIMARY, "A", proxied=True)

    # Automatic TTL is left alone; a proxied mail host receives no mail, so that is undone.
    code, report = plan(repo)
    assert code == 2 and changes(report) == {("update", PRIMARY, "A")}
    sync(repo)
    assert writes(fake) == Counter({"PUT": 1})
    (a,) = stored(fake, "klab.cc")[(PRIMARY, "A")]
    assert (a["proxied"], a["ttl"]) == (False, 3600)
    assert_converged(repo, fake)

    # A value change on an automatic-TTL record keeps it on automatic TTL.
    declare(repo, lambda d: d["kolab"]["dmarc"].update(p="reject"))
    sync(repo)
    (dmarc,) = stored(fake, "klab.cc")[(f"_dmarc.{PRIMARY}", "TXT")]
    assert txt(dmarc["content"]).startswith("v=DMARC1; p=reject;") and dmarc["ttl"] == 1
    fake.clear_requests()
    assert_converged(repo, fake)

    # A new kolab.ttl reaches every kolab-dns record except those on automatic TTL.
    declare(repo, lambda d: d["kolab"].update(ttl=7200))
    updated = changes(plan(repo)[1])
    assert ("update", f"_dmarc.{SECONDARY}", "TXT") in updated
    assert not {("update", PRIMARY, "MX"), ("update", f"_dmarc.{PRIMARY}", "TXT")} & updated
    sync(repo, "--force")
    klab = stored(fake, "klab.cc")
    assert klab[(PRIMARY, "MX")][0]["ttl"] == 1 and klab[(f"_dmarc.{PRIMARY}", "TXT")][0]["ttl"] == 1
    assert klab[(f"_dmarc.{SECONDARY}", "TXT")][0]["ttl"] == 7200
    fake.clear_requests()
    assert_converged(repo, fake)
    # the foreign automatic-TTL records never appeared in a plan and are as seeded
    assert foreign == foreign_klab(fake)


def test_foreign_records_in_an_existing_customer_zone_survive(repo: Path, fake: FakeCloudflare) -> None:
    # customer.example already on Cloudflare with a website and a site verification token
    seeded = fake.seed(
        CUSTOMER,
        [
            {"type": "A", "name": "@", "content": "198.51.100.7"},
            {"type": "A", "name": "www", "content": "198.51.100.7", "ttl": 300},
            {"type": "TXT", "name": "@", "content": SITE_VERIFICATION},
            {"type": "TXT", "name": "_acme-challenge", "content": "kV7b2Yq0hZ8cX1wP4nR6tL9mJ3sD5fG"},
        ],
    )
    code, report = plan(repo)
    assert code == 2
    # the apex TXT set is shared: kolab-dns adds its SPF value beside the token
    (apex,) = [c for c in report["changes"] if (c["name"], c["type"]) == (CUSTOMER, "TXT")]
    assert apex["action"] == "update" and apex["old"] == [SITE_VERIFICATION]
    assert sorted(apex["new"]) == sorted([SITE_VERIFICATION, f"v=spf1 mx include:{PRIMARY} -all"])
    assert not [c for c in report["changes"] if c["action"] == "delete"]

    sync(repo)
    assert all(r.path != "/zones" for r in fake.write_requests())  # the zone existed
    now = {r["id"]: r for r in fake.records(CUSTOMER)}
    # Same records, values and TTLs: the token's set was on automatic TTL and stays so. (Updating
    # a set, octodns-cloudflare re-sends each value in it: the token comes back quoted.)
    for r in seeded:
        assert (txt(now[r["id"]]["content"]), now[r["id"]]["ttl"]) == (r["content"], r["ttl"])
    assert now[seeded[0]["id"]] == seeded[0] and now[seeded[1]["id"]] == seeded[1]
    assert_converged(repo, fake)


def test_rate_limits_and_server_errors_are_retried(repo: Path, fake: FakeCloudflare) -> None:
    fake.fail_next("POST", 429, path_contains="/dns_records")
    fake.fail_next("GET", 503, path_contains="/dns_records")
    report = sync(repo)
    values = sum(len(c["new"]) for c in report["changes"])
    assert writes(fake) == Counter({"POST": 1 + values + 1})  # the zone, every value, one retry
    assert [r.method for r in fake.requests].count("GET") > 1
    assert_converged(repo, fake)
