"""kolab-dns next to other tools' records, on PowerDNS and on BIND.

Foreign records (a website at zone and domain apexes and at www, ACME challenges, site
verification tokens in the apex TXT set that also holds the SPF, an unrelated SRV) survive plan
and sync byte for byte; a foreign CNAME where kolab-dns needs other types stops the plan.
"""

from __future__ import annotations

import pytest

from .conftest import (
    SECONDARY,
    MakeRepo,
    MakeTarget,
    Seed,
    Target,
    answers,
    assert_golden,
    error_lines,
    golden_primary,
    golden_secondary,
    raw,
    with_foreign,
)

OWN_ZONE = "customer-one.example"
ZONES = ["klab.cc", OWN_ZONE]
TOKEN_SECONDARY = "google-site-verification=rXOxyZounnZasA8Z7oaD3c14JdjS9aKSWvsR1EbUSIQ"
TOKEN_OWN_ZONE = "google-site-verification=2f0c1b9e-own-zone"

FOREIGN: list[Seed] = [
    # a website at the zone apex and at www
    ("klab.cc", 300, "A", "192.0.2.80"),
    ("klab.cc", 300, "AAAA", "2001:db8::80"),
    ("www.klab.cc", 300, "A", "192.0.2.80"),
    ("www.klab.cc", 300, "AAAA", "2001:db8::80"),
    # ... at a secondary's apex (next to kolab-dns's MX and TXT) and its www
    (SECONDARY, 600, "A", "192.0.2.81"),
    (f"www.{SECONDARY}", 600, "A", "192.0.2.81"),
    # ... at the apex of a secondary that is a zone of its own
    (OWN_ZONE, 300, "A", "192.0.2.82"),
    (OWN_ZONE, 300, "AAAA", "2001:db8::82"),
    (f"www.{OWN_ZONE}", 300, "A", "192.0.2.82"),
    # certbot's DNS-01 challenges
    (f"_acme-challenge.{SECONDARY}", 60, "TXT", '"dGhpcyBpcyBhbiBhY21lIHRva2Vu"'),
    ("_acme-challenge.klab.cc", 60, "TXT", '"acme-apex"'),
    # an unrelated service
    ("_xmpp-client._tcp.klab.cc", 900, "SRV", "5 0 5222 xmpp.klab.cc."),
    (f"_xmpp-server._tcp.{SECONDARY}", 900, "SRV", "5 0 5269 xmpp.klab.cc."),
]
#: Foreign values in the apex TXT sets kolab-dns shares (its SPF goes into the same RRset).
SHARED: list[Seed] = [
    (SECONDARY, 300, "TXT", f'"{TOKEN_SECONDARY}"'),
    (OWN_ZONE, 300, "TXT", f'"{TOKEN_OWN_ZONE}"'),
    (OWN_ZONE, 300, "TXT", '"MS=ms12345678"'),
]


def _snapshot(target: Target) -> dict[tuple[str, str], object]:
    keys = {(name, rdtype) for name, _, rdtype, _ in FOREIGN} | {(z, "NS") for z in ZONES}
    return {key: raw(target.server, *key) for key in sorted(keys)}


def test_foreign_records_survive_plan_and_sync(target: MakeTarget, make_repo: MakeRepo) -> None:
    server = target(ZONES)
    repo = make_repo(server)
    repo.write(secondary=[SECONDARY, OWN_ZONE])
    server.seed(FOREIGN + SHARED)
    before = _snapshot(server)
    assert all(before.values()), before
    tokens_before = {name: raw(server.server, name, "TXT") for name in (SECONDARY, OWN_ZONE)}
    dumps_before = {zone: server.dump(zone) for zone in ZONES}

    plan = repo.ok("plan")
    assert "0 to delete" in plan.stdout
    assert {zone: server.dump(zone) for zone in ZONES} == dumps_before  # a plan writes nothing

    repo.ok("sync")

    assert _snapshot(server) == before
    # The apex TXT sets now hold the SPF and, byte for byte, every foreign value.
    for name, was in tokens_before.items():
        now = raw(server.server, name, "TXT")
        assert was is not None and now is not None
        assert was[1] < now[1], name
    golden = golden_primary() | golden_secondary() | golden_secondary(OWN_ZONE)
    golden = with_foreign(golden, SECONDARY, "TXT", TOKEN_SECONDARY)
    golden = with_foreign(golden, OWN_ZONE, "TXT", TOKEN_OWN_ZONE, "MS=ms12345678")
    assert_golden(server.server, golden)

    again = repo.run("plan", "--detailed-exitcode")
    assert again.exit_code == 0, again.output
    assert _snapshot(server) == before


@pytest.mark.parametrize(
    ("owner", "wanted"),
    [
        (f"_dmarc.{SECONDARY}", "TXT"),  # the secondary's DMARC name points elsewhere
        (SECONDARY, "MX/TXT"),  # the whole secondary domain is an alias
    ],
    ids=["dmarc-cname", "apex-cname"],
)
def test_a_foreign_cname_where_kolab_needs_records_stops_the_plan(
    target: MakeTarget, make_repo: MakeRepo, owner: str, wanted: str
) -> None:
    server = target(["klab.cc"])
    repo = make_repo(server)
    server.seed([(owner, 300, "CNAME", "elsewhere.example.net.")])
    before = server.dump("klab.cc")

    for command in ("plan", "sync"):
        result = repo.run(command)
        assert result.exit_code == 1, result.output
        assert result.stdout == ""
        (line,) = error_lines(result)
        assert f"{owner} holds a foreign CNAME record" in line, line
        assert f"cannot publish {wanted} there" in line, line
        assert "Traceback" not in result.output
    assert server.dump("klab.cc") == before
    assert answers(server.server, SECONDARY, "MX") == set()
