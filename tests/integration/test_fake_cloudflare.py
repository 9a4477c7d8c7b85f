"""Self-test: the real CloudflareProvider must work against FakeCloudflare.

If these pass, later integration tests can trust the fake to behave like
the parts of the Cloudflare API that octodns-cloudflare actually touches.
"""

from __future__ import annotations

import base64
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests
from octodns.provider import SupportsException
from octodns.record import Create, Delete, Record, Update
from octodns.zone import Zone
from octodns_cloudflare import (
    CloudflareAuthenticationError,
    CloudflareError,
    CloudflareProvider,
)

try:  # imported as tests.integration.* if that ever becomes a package
    from .fake_cloudflare import (
        APEX_NS_ERROR_CODE,
        CNAME_CONFLICT_CODE,
        IDENTICAL_RECORD_CODE,
        INVALID_TTL_CODE,
        FakeCloudflare,
    )
except ImportError:
    from fake_cloudflare import (  # type: ignore[no-redef]
        APEX_NS_ERROR_CODE,
        CNAME_CONFLICT_CODE,
        IDENTICAL_RECORD_CODE,
        INVALID_TTL_CODE,
        FakeCloudflare,
    )

TOKEN = "test-token"
# Same length as a 2048-bit RSA SubjectPublicKeyInfo (294 bytes, 392 b64).
DKIM_KEY = base64.b64encode(bytes(range(256)) + bytes(range(38))).decode()
DKIM_RAW = f"v=DKIM1; k=rsa; p={DKIM_KEY}"  # as Cloudflare stores it
DKIM_OCTO = DKIM_RAW.replace(";", "\\;")  # as octoDNS spells it

SEED: list[dict[str, Any]] = [
    {"type": "A", "name": "www", "content": "192.0.2.10", "ttl": 300},
    {"type": "A", "name": "mail", "content": "192.0.2.25", "ttl": 3600},
    {"type": "A", "name": "slow", "content": "192.0.2.30", "ttl": 600},
    {"type": "MX", "name": "@", "content": "mail.example.org", "priority": 10, "ttl": 3600},
    {"type": "TXT", "name": "@", "content": "v=spf1 mx -all", "ttl": 3600},
    {"type": "TXT", "name": "sel1._domainkey", "content": DKIM_RAW, "ttl": 3600},
    {
        "type": "SRV",
        "name": "_imaps._tcp",
        "ttl": 3600,
        "data": {"priority": 0, "weight": 1, "port": 993, "target": "mail.example.org"},
    },
    {"type": "CNAME", "name": "old", "content": "www.example.org", "ttl": 3600},
]


def make_provider(fake: FakeCloudflare, **kwargs: Any) -> CloudflareProvider:
    """The provider exactly as kolab-dns would configure it, aimed at fake."""
    options: dict[str, Any] = {
        "token": TOKEN,
        "api_url": fake.api_url,
        "pagerules": False,
        "retry_count": 1,
        "retry_period": 0,
        "timeout": 5,
    }
    options.update(kwargs)
    return CloudflareProvider("cloudflare", **options)


def record(zone: Zone, name: str, data: dict[str, Any]) -> Record:
    return Record.new(zone, name, data)


def by_key(zone: Zone) -> dict[tuple[str, str], Record]:
    return {(r.name, r._type): r for r in zone.records}


def count_writes(fake: FakeCloudflare) -> Counter[str]:
    return Counter(r.method for r in fake.write_requests())


def desired_example_org() -> Zone:
    """SEED with creates, updates and one delete mixed in."""
    z = Zone("example.org.", [])
    for name, data in [
        ("www", {"type": "A", "ttl": 300, "value": "192.0.2.11"}),  # update
        ("mail", {"type": "A", "ttl": 3600, "value": "192.0.2.25"}),
        ("slow", {"type": "A", "ttl": 3600, "value": "192.0.2.30"}),  # ttl
        (
            "",
            {
                "type": "MX",
                "ttl": 3600,
                "values": [  # add a value
                    {"preference": 10, "exchange": "mail.example.org."},
                    {"preference": 20, "exchange": "backup.example.net."},
                ],
            },
        ),
        ("", {"type": "TXT", "ttl": 3600, "value": "v=spf1 mx -all"}),
        ("sel1._domainkey", {"type": "TXT", "ttl": 3600, "value": DKIM_OCTO}),
        (
            "_imaps._tcp",
            {
                "type": "SRV",
                "ttl": 3600,
                "value": {"priority": 0, "weight": 1, "port": 993, "target": "mail.example.org."},
            },
        ),
        # creates
        ("sel2._domainkey", {"type": "TXT", "ttl": 3600, "value": DKIM_OCTO}),
        (
            "_submission._tcp",
            {
                "type": "SRV",
                "ttl": 3600,
                "value": {"priority": 0, "weight": 1, "port": 587, "target": "mail.example.org."},
            },
        ),
        ("webmail", {"type": "CNAME", "ttl": 3600, "value": "www.example.org."}),
        ("", {"type": "CAA", "ttl": 3600, "value": {"flags": 0, "tag": "issue", "value": "letsencrypt.org"}}),
    ]:
        z.add_record(record(z, name, data))
    return z


@pytest.fixture
def fake() -> Iterator[FakeCloudflare]:
    with FakeCloudflare(TOKEN, max_per_page=5) as server:
        yield server


@pytest.mark.parametrize(("n_zones", "expected_gets"), [(12, 3), (10, 3), (3, 1)])
def test_list_zones_paginates(fake: FakeCloudflare, n_zones: int, expected_gets: int) -> None:
    names = [f"zone{i:02}.example" for i in range(n_zones)]
    for name in names:
        fake.add_zone(name)

    provider = make_provider(fake)
    assert provider.list_zones() == sorted(f"{n}." for n in names)

    gets = [r for r in fake.requests if r.path == "/zones"]
    # 10 zones at 5 a page: a full last page makes the provider ask again
    assert len(gets) == expected_gets
    assert [g.query["page"] for g in gets] == [str(i) for i in range(1, expected_gets + 1)]
    assert {g.query["per_page"] for g in gets} == {"50"}  # capped by fake
    assert fake.write_requests() == []


def test_result_info_is_cloudflare_shaped(fake: FakeCloudflare) -> None:
    for i in range(12):
        fake.add_zone(f"z{i}.example")
    resp = requests.get(
        f"{fake.api_url}/zones",
        params={"page": 3, "per_page": 50},
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=5,
    )
    body = resp.json()
    assert resp.status_code == 200 and body["success"] is True
    assert body["result_info"] == {
        "page": 3,
        "per_page": 5,
        "count": 2,
        "total_count": 12,
        "total_pages": 3,
    }
    zone = body["result"][0]
    assert zone["status"] == "active"
    assert zone["name_servers"] and zone["plan"]["legacy_id"] == "free"


def test_populate_reads_records_across_pages(fake: FakeCloudflare) -> None:
    fake.seed("example.org", SEED)
    provider = make_provider(fake)

    zone = Zone("example.org.", [])
    assert provider.populate(zone) is True
    got = by_key(zone)

    assert len(got) == len(SEED)
    assert got[("www", "A")].values == ["192.0.2.10"]
    assert got[("www", "A")].ttl == 300
    mx = got[("", "MX")].values[0]
    assert (mx.preference, mx.exchange) == (10, "mail.example.org.")
    assert got[("", "TXT")].values == ["v=spf1 mx -all"]
    assert got[("sel1._domainkey", "TXT")].values == [DKIM_OCTO]
    srv = got[("_imaps._tcp", "SRV")].values[0]
    assert (srv.priority, srv.weight, srv.port, srv.target) == (0, 1, 993, "mail.example.org.")
    assert got[("old", "CNAME")].value == "www.example.org."

    zone_id = fake.zone("example.org")["id"]
    pages = [r for r in fake.requests if r.path == f"/zones/{zone_id}/dns_records"]
    assert [p.query["page"] for p in pages] == ["1", "2"]  # 8 records, 5/page
    assert pages[0].query["per_page"] == "100"


def test_plan_apply_creates_updates_deletes(fake: FakeCloudflare) -> None:
    fake.seed("example.org", SEED)
    provider = make_provider(fake)

    plan = provider.plan(desired_example_org())
    assert plan is not None
    kinds = Counter(type(c).__name__ for c in plan.changes)
    assert kinds == {"Create": 4, "Update": 3, "Delete": 1}
    updated = {c.new.name or "@" for c in plan.changes if isinstance(c, Update)}
    assert updated == {"www", "slow", "@"}
    assert [c.existing.name for c in plan.changes if isinstance(c, Delete)] == ["old"]
    assert all(isinstance(c, Create) for c in plan.changes if c.record.name in ("sel2._domainkey", "webmail"))

    fake.clear_requests()
    assert provider.apply(plan) == 8
    # One API call per record value: 4 creates + the new MX value are POSTs,
    # www (delete+create paired), the kept MX value and slow's TTL are PUTs.
    assert count_writes(fake) == {"POST": 5, "PUT": 3, "DELETE": 1}

    stored = {(r["name"], r["type"], r["content"]): r for r in fake.records("example.org")}
    assert ("old.example.org", "CNAME", "www.example.org") not in stored
    assert ("webmail.example.org", "CNAME", "www.example.org") in stored
    assert ("www.example.org", "A", "192.0.2.11") in stored
    assert stored[("slow.example.org", "A", "192.0.2.30")]["ttl"] == 3600
    dkim2 = [r for r in stored.values() if r["name"] == "sel2._domainkey.example.org"]
    # octodns-cloudflare sends long TXT as quoted 255-byte chunks
    assert len(dkim2) == 1 and dkim2[0]["content"].startswith('"v=DKIM1; ')
    assert '" "' in dkim2[0]["content"]
    srv = next(
        r for r in stored.values() if r["type"] == "SRV" and r["name"] == "_submission._tcp.example.org"
    )
    assert srv["data"] == {"priority": 0, "weight": 1, "port": 587, "target": "mail.example.org"}

    # Both the same (cache cleared by apply) and a fresh provider converge.
    assert provider.plan(desired_example_org()) is None
    assert make_provider(fake).plan(desired_example_org()) is None


def test_auto_ttl_records(fake: FakeCloudflare) -> None:
    fake.seed(
        "example.org",
        [
            {"type": "A", "name": "auto", "content": "192.0.2.1", "ttl": 1},
            {"type": "A", "name": "fixed", "content": "192.0.2.2", "ttl": 300},
        ],
    )
    auto_flag = {"cloudflare": {"auto-ttl": True}}

    def desired(
        auto_ttl: int, auto_octodns: dict[str, Any] | None, fixed_octodns: dict[str, Any] | None
    ) -> Zone:
        z = Zone("example.org.", [])
        a = {"type": "A", "ttl": auto_ttl, "value": "192.0.2.1"}
        f = {"type": "A", "ttl": 300, "value": "192.0.2.2"}
        if auto_octodns:
            a["octodns"] = auto_octodns
        if fixed_octodns:
            f["octodns"] = fixed_octodns
        z.add_record(record(z, "auto", a))
        z.add_record(record(z, "fixed", f))
        return z

    # ttl=1 reads back as 300 + auto-ttl flag; without the flag in desired
    # it is an Update even when the TTL number agrees.
    for ttl in (3600, 300):
        plan = make_provider(fake).plan(desired(ttl, None, None))
        assert plan is not None
        assert [(type(c).__name__, c.record.name) for c in plan.changes] == [("Update", "auto")]
    # With the flag the desired TTL is ignored: nothing to do.
    assert make_provider(fake).plan(desired(3600, auto_flag, None)) is None

    # Applying the flagless plan pins the TTL ...
    provider = make_provider(fake)
    provider.apply(provider.plan(desired(3600, None, None)))
    ttls = {r["name"]: r["ttl"] for r in fake.records("example.org")}
    assert ttls["auto.example.org"] == 3600
    # ... and adding the flag to a fixed record switches it to auto (ttl 1).
    provider.apply(provider.plan(desired(3600, None, auto_flag)))
    ttls = {r["name"]: r["ttl"] for r in fake.records("example.org")}
    assert ttls["fixed.example.org"] == 1
    assert make_provider(fake).plan(desired(3600, None, auto_flag)) is None


@pytest.mark.parametrize("require_account_id", [False, True])
def test_missing_zone_is_created(
    require_account_id: bool,
) -> None:
    with FakeCloudflare(TOKEN, max_per_page=5, require_account_id=require_account_id) as fake:
        fake.add_zone("other.example")
        provider = make_provider(fake, account_id=fake.account_id)
        desired = Zone("fresh.example.", [])
        desired.add_record(record(desired, "www", {"type": "A", "ttl": 300, "value": "192.0.2.7"}))
        desired.add_record(record(desired, "", {"type": "TXT", "ttl": 300, "value": "v=spf1 -all"}))

        plan = provider.plan(desired)
        assert plan is not None and plan.exists is False
        provider.apply(plan)

        writes = fake.write_requests()
        assert (writes[0].method, writes[0].path) == ("POST", "/zones")
        assert len(writes) == 3
        zone = fake.zone("fresh.example")
        assert zone is not None
        assert zone["status"] == "pending"
        assert zone["account"]["id"] == fake.account_id
        assert len(fake.records("fresh.example")) == 2
        assert make_provider(fake).plan(desired) is None


def test_zone_creation_without_account_id_can_be_refused() -> None:
    with FakeCloudflare(TOKEN, require_account_id=True) as fake:
        provider = make_provider(fake)  # no account_id
        desired = Zone("fresh.example.", [])
        desired.add_record(record(desired, "www", {"type": "A", "ttl": 300, "value": "192.0.2.7"}))
        with pytest.raises(CloudflareError, match="Permission denied"):
            provider.apply(provider.plan(desired))
        assert fake.zones() == []


def test_wrong_token_is_refused(fake: FakeCloudflare) -> None:
    fake.seed("example.org", SEED[:1])
    provider = make_provider(fake, token="wrong-token")
    with pytest.raises(CloudflareAuthenticationError, match="Authentication error"):
        provider.list_zones()
    resp = requests.get(f"{fake.api_url}/zones", timeout=5)  # no header
    assert resp.status_code == 403
    assert resp.json()["errors"][0]["code"] == 10000
    assert len(fake.requests) == 2


def test_apex_ns_is_rejected(fake: FakeCloudflare) -> None:
    zone_id = fake.add_zone("example.org")
    url = f"{fake.api_url}/zones/{zone_id}/dns_records"
    auth = {"Authorization": f"Bearer {TOKEN}"}

    resp = requests.post(
        url,
        headers=auth,
        timeout=5,
        json={
            "type": "NS",
            "name": "example.org",
            "content": "ns1.example.net.",
            "ttl": 3600,
        },
    )
    assert resp.status_code == 400
    assert resp.json()["errors"][0]["code"] == APEX_NS_ERROR_CODE
    # delegations below the apex are fine, and the trailing dot is dropped
    resp = requests.post(
        url,
        headers=auth,
        timeout=5,
        json={
            "type": "NS",
            "name": "sub",
            "content": "ns1.example.net.",
            "ttl": 3600,
        },
    )
    assert resp.status_code == 200
    assert resp.json()["result"]["content"] == "ns1.example.net"

    # octoDNS itself refuses a root NS for Cloudflare before any write.
    desired = Zone("example.org.", [])
    desired.add_record(record(desired, "", {"type": "NS", "ttl": 3600, "values": ["ns1.example.net."]}))
    fake.clear_requests()
    with pytest.raises(SupportsException, match="root NS"):
        make_provider(fake).plan(desired)
    assert fake.write_requests() == []


def test_api_validation_errors(fake: FakeCloudflare) -> None:
    zone_id = fake.add_zone("example.org")
    url = f"{fake.api_url}/zones/{zone_id}/dns_records"
    auth = {"Authorization": f"Bearer {TOKEN}"}

    def post(body: dict[str, Any]) -> requests.Response:
        return requests.post(url, headers=auth, json=body, timeout=5)

    a = {"type": "A", "name": "www", "content": "192.0.2.1", "ttl": 300}
    assert post(a).status_code == 200
    dup = post(a)
    assert dup.status_code == 400
    assert dup.json()["errors"][0]["code"] == IDENTICAL_RECORD_CODE
    clash = post({"type": "CNAME", "name": "www", "content": "x.example"})
    assert clash.json()["errors"][0]["code"] == CNAME_CONFLICT_CODE
    bad_ttl = post({**a, "content": "192.0.2.2", "ttl": 5})
    error = bad_ttl.json()["errors"][0]
    assert error["error_chain"][0]["code"] == INVALID_TTL_CODE
    proxied = post({"type": "A", "name": "p", "content": "192.0.2.3", "ttl": 300, "proxied": True}).json()[
        "result"
    ]
    assert proxied["ttl"] == 1 and proxied["proxiable"] is True


def test_injected_faults(fake: FakeCloudflare) -> None:
    fake.seed("example.org", SEED)
    desired = desired_example_org()

    fake.fail_next("GET", status=500)
    with pytest.raises(requests.HTTPError):
        make_provider(fake).plan(desired)

    provider = make_provider(fake)
    plan = provider.plan(desired)
    fake.clear_requests()
    fake.fail_next("PUT", status=503)  # provider retries 502/503
    provider.apply(plan)
    assert count_writes(fake) == {"POST": 5, "PUT": 4, "DELETE": 1}
    assert make_provider(fake).plan(desired) is None


def test_concurrent_writes_are_safe(fake: FakeCloudflare) -> None:
    zone_id = fake.add_zone("example.org")
    url = f"{fake.api_url}/zones/{zone_id}/dns_records"

    def create(i: int) -> int:
        return requests.post(
            url,
            timeout=5,
            headers={"Authorization": f"Bearer {TOKEN}"},
            json={"type": "A", "name": f"h{i}", "content": f"192.0.2.{i}", "ttl": 300},
        ).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert set(pool.map(create, range(1, 41))) == {200}
    stored = fake.records("example.org")
    assert len(stored) == 40 and len({r["id"] for r in stored}) == 40
