"""The real kolab-dns CLI against a real PowerDNS (HTTP API in, DNS answers out).

Proves: the spec's two example zones are served exactly after one sync and a second plan is
empty; zones kolab-dns creates get an SOA and the declared NS; removing a secondary (git --since)
deletes exactly what it owned and nothing foreign; the 30 % safety net; the review workflow
(json, markdown, --output, --checksum).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import dns.flags
import dns.rcode
import dns.rdatatype

from kolab_dns import ownership

from .conftest import (
    MTA_STS_ID,
    PRIMARY,
    SECONDARY,
    MakeRepo,
    MakeTarget,
    Repo,
    Target,
    answers,
    assert_golden,
    error_lines,
    golden_primary,
    golden_secondary,
    raw,
    with_foreign,
)

NAMESERVERS = ["ns1.kolab.example", "ns2.kolab.example"]


def test_sync_serves_the_spec_examples_exactly(pdns: MakeTarget, make_repo: MakeRepo) -> None:
    target = pdns(["klab.cc"])
    repo = make_repo(target)

    result = repo.ok("sync")
    assert result.stdout.startswith("Applied: 1 zones, 1 with changes:")

    assert_golden(target.server, golden_primary() | golden_secondary())
    (sts,) = answers(target.server, f"_mta-sts.{PRIMARY}", "TXT")
    assert MTA_STS_ID.fullmatch(sts), sts
    assert "2024031901" not in sts  # derived from the policy, not copied from the page

    again = repo.run("plan", "--detailed-exitcode")
    assert again.exit_code == 0, again.output
    assert "No changes." in again.stdout
    assert "0 with changes" in again.stdout


def test_a_zone_kolab_dns_creates_gets_soa_and_declared_ns(pdns: MakeTarget, make_repo: MakeRepo) -> None:
    target = pdns(["klab.cc"])
    repo = make_repo(target)
    repo.write(secondary=[SECONDARY, "customer-one.example"], nameservers=NAMESERVERS)
    assert "customer-one.example." not in target.server.list_zones()

    repo.ok("sync")

    assert "customer-one.example." in target.server.list_zones()
    response = target.server.query("customer-one.example", "SOA")
    assert response.rcode() == dns.rcode.NOERROR
    assert response.flags & dns.flags.AA
    (soa_rrset,) = response.answer
    (soa,) = list(soa_rrset)
    assert soa.rdtype == dns.rdatatype.SOA
    assert soa.rname.to_text() == "hostmaster.customer-one.example."
    assert soa.serial > 0
    assert answers(target.server, "customer-one.example", "NS") == {f"{n}." for n in NAMESERVERS}
    assert_golden(
        target.server, golden_primary() | golden_secondary() | golden_secondary("customer-one.example")
    )
    # klab.cc existed already: its NS is the operator's and stays untouched.
    assert answers(target.server, "klab.cc", "NS") == {"ns1.test.example."}

    again = repo.run("plan", "--detailed-exitcode")
    assert again.exit_code == 0, again.output


# --- removal ----------------------------------------------------------------------------------


def _marker_claims(target: Target, domain: str) -> set[tuple[str, str]]:
    """(owner, type) pairs the marker of a domain lists, read from the server."""
    (text,) = answers(target.server, ownership.marker_name(domain), "TXT")
    return ownership.expand_marker(domain, text)


def _plan_json(repo: Repo, *args: str) -> dict:
    result = repo.ok("plan", "--format", "json", *args)
    data: dict = json.loads(result.stdout)
    return data


def _refused_then_forced(repo: Repo, target: Target, zone: str, *args: str) -> None:
    """sync without --force refuses (exit 1, one line naming the change and --force), writes
    nothing; with --force it applies."""
    before = target.dump(zone)
    refused = repo.run("sync", *args)
    assert refused.exit_code == 1, refused.output
    (line,) = error_lines(refused)
    assert "refusing an unsafe plan" in line and "--force" in line, line
    assert re.search(r"\d+ to delete", line), line
    assert target.dump(zone) == before
    repo.ok("sync", "--force", *args)


def _assert_report_authorization_goes(plan: dict, domain: str) -> None:
    """A removed domain of another organization loses its DMARC report authorization in the
    report domain's zone (klab.cc), and nothing else there changes but the ownership marker."""
    changes = {(c["name"], c["type"], c["action"]) for c in plan["changes"] if c["zone"] == "klab.cc"}
    assert changes == {
        (f"{domain}._report._dmarc.kolab.klab.cc", "TXT", "delete"),
        (ownership.marker_name("kolab.klab.cc"), "TXT", "update"),
    }


def test_removing_a_secondary_deletes_exactly_its_records(pdns: MakeTarget, make_repo: MakeRepo) -> None:
    target = pdns(["klab.cc", "customers.example"])
    repo = make_repo(target)
    one, two = "one.customers.example", "two.customers.example"
    zones = {"klab.cc": "pdns", "customers.example": "pdns"}
    repo.write(zones=zones, secondary=[one, two])
    token = "google-site-verification=two-7f3a9c"
    foreign = [
        ("customers.example", 300, "A", "192.0.2.10"),
        ("www.customers.example", 300, "A", "192.0.2.10"),
        (two, 300, "A", "192.0.2.20"),
        (f"www.{two}", 300, "A", "192.0.2.20"),
        (f"_acme-challenge.{two}", 120, "TXT", '"acme-4711"'),
        (two, 300, "TXT", f'"{token}"'),
    ]
    target.seed(foreign)
    repo.ok("sync")
    assert_golden(
        target.server, golden_secondary(one) | with_foreign(golden_secondary(two), two, "TXT", token)
    )
    owned = _marker_claims(target, two)
    assert set(golden_secondary(two)) <= owned
    foreign_keys = {(n, t) for n, _, t, _ in foreign if (n, t) != (two, "TXT")}
    foreign_before = {k: raw(target.server, *k) for k in foreign_keys}
    repo.commit("two secondaries")

    repo.write(zones=zones, secondary=[one])
    plan = _plan_json(repo, "--since", "HEAD")
    assert plan["summary"]["zones"] == 2  # only the zones that changed are planned
    _assert_report_authorization_goes(plan, two)
    changes = [c for c in plan["changes"] if c["zone"] == "customers.example"]
    deletes = {(c["name"], c["type"]) for c in changes if c["action"] == "delete"}
    assert deletes == (owned - {(two, "TXT")}) | {(ownership.marker_name(two), "TXT")}
    (update,) = [c for c in changes if c["action"] == "update"]
    assert (update["name"], update["type"]) == (two, "TXT")
    assert update["new"] == [token]  # the SPF value goes, the verification token stays
    assert plan["summary"]["creates"] == 0

    # 16 of the zone's 40 records go: octoDNS's 30 % threshold trips.
    _refused_then_forced(repo, target, "customers.example", "--since", "HEAD")

    for name, rdtype in owned | {(ownership.marker_name(two), "TXT")}:
        if (name, rdtype) != (two, "TXT"):
            assert answers(target.server, name, rdtype) == set(), (name, rdtype)
    assert answers(target.server, two, "TXT") == {token}
    assert {k: raw(target.server, *k) for k in foreign_keys} == foreign_before
    assert_golden(target.server, golden_secondary(one))
    assert repo.run("plan", "--detailed-exitcode").exit_code == 0


def test_removing_an_own_zone_secondary_keeps_zone_and_foreign(pdns: MakeTarget, make_repo: MakeRepo) -> None:
    target = pdns(["klab.cc", "customer-one.example"])
    repo = make_repo(target)
    domain = "customer-one.example"
    repo.write(secondary=[SECONDARY, domain])
    token = "google-site-verification=c1-0042"
    foreign = [
        (domain, 300, "A", "192.0.2.30"),
        (domain, 300, "AAAA", "2001:db8::30"),
        (f"www.{domain}", 300, "A", "192.0.2.30"),
        (domain, 300, "TXT", f'"{token}"'),
    ]
    target.seed(foreign)
    repo.ok("sync")
    owned = _marker_claims(target, domain)
    assert set(golden_secondary(domain)) <= owned
    keep = [(n, t) for n, _, t, _ in foreign if t != "TXT"] + [(domain, "NS"), (SECONDARY, "MX")]
    kept_before = {k: raw(target.server, *k) for k in keep}
    repo.commit("own-zone secondary")

    repo.write(secondary=[SECONDARY])
    plan = _plan_json(repo, "--since", "HEAD")
    assert {c["zone"] for c in plan["changes"]} == {domain, "klab.cc"}
    _assert_report_authorization_goes(plan, domain)
    deletes = {
        (c["name"], c["type"]) for c in plan["changes"] if c["action"] == "delete" and c["zone"] == domain
    }
    assert deletes == (owned - {(domain, "TXT")}) | {(ownership.marker_name(domain), "TXT")}

    _refused_then_forced(repo, target, domain, "--since", "HEAD")

    assert f"{domain}." in target.server.list_zones()
    assert answers(target.server, domain, "SOA")
    assert {k: raw(target.server, *k) for k in keep} == kept_before
    assert answers(target.server, domain, "TXT") == {token}
    for name, rdtype in owned - {(domain, "TXT")}:
        assert answers(target.server, name, rdtype) == set(), (name, rdtype)


# --- safety -----------------------------------------------------------------------------------


def test_sync_refuses_to_delete_over_30_percent_without_force(pdns: MakeTarget, make_repo: MakeRepo) -> None:
    target = pdns(["klab.cc"])
    repo = make_repo(target)
    repo.ok("sync")  # primary + kolab-secondary.klab.cc: 39 records with markers and NS
    repo.write(secondary=[])
    before = target.dump("klab.cc")

    refused = repo.run("sync")
    assert refused.exit_code == 1
    (line,) = error_lines(refused)
    assert "refusing an unsafe plan" in line
    assert "17 to delete" in line  # what would change ...
    assert "over 30" in line  # ... why it is refused ...
    assert "--force" in line  # ... and how to apply it anyway
    assert refused.stdout == ""
    assert target.dump("klab.cc") == before
    assert repo.run("plan", "--detailed-exitcode").exit_code == 2  # still pending

    repo.ok("sync", "--force")
    assert answers(target.server, SECONDARY, "MX") == set()
    assert repo.run("plan", "--detailed-exitcode").exit_code == 0


# --- review -----------------------------------------------------------------------------------


def test_plan_formats_output_file_and_checksum(pdns: MakeTarget, make_repo: MakeRepo, tmp_path: Path) -> None:
    target = pdns(["klab.cc"])
    repo = make_repo(target)

    plan = _plan_json(repo)
    summary = plan["summary"]
    assert summary["zones"] == summary["zones_changed"] == 1
    for action in ("create", "update", "delete"):
        assert summary[f"{action}s"] == sum(1 for c in plan["changes"] if c["action"] == action)
    assert summary["creates"] > 30 and plan["applied"] is False
    assert re.fullmatch(r"[0-9a-f]{64}", plan["checksum"])

    markdown = repo.ok("plan", "--format", "markdown").stdout.splitlines()
    assert markdown[:4] == [
        "## kolab-dns plan",
        "",
        "| zones | with changes | creates | updates | deletes |",
        "|---:|---:|---:|---:|---:|",
    ]
    assert markdown[4] == f"| 1 | 1 | {summary['creates']} | 0 | 0 |"

    out = tmp_path / "plan.json"
    written = repo.ok("plan", "--format", "json", "--output", str(out))
    assert written.stdout == ""
    assert json.loads(out.read_text()) == plan

    before = target.dump("klab.cc")
    wrong = repo.run("sync", "--checksum", "0" * 64)
    assert wrong.exit_code == 1
    (line,) = error_lines(wrong)
    assert "nothing was applied" in line
    assert target.dump("klab.cc") == before

    applied = repo.ok("sync", "--checksum", plan["checksum"])
    assert applied.stdout.startswith(f"Applied: 1 zones, 1 with changes: {summary['creates']} to create")
    assert_golden(target.server, golden_primary() | golden_secondary())
    assert repo.run("plan", "--detailed-exitcode").exit_code == 0
