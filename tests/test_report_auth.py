"""DMARC external report authorization, decided with the Public Suffix List."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from kolab_dns import records
from kolab_dns.cli import cli
from kolab_dns.records.report_auth import needing_authorization

from .conftest import EXAMPLE
from .test_records import BASE, make


def auth_records(decl) -> dict[str, tuple[str, ...]]:
    return {r.name: r.values for r in records.expand(decl) if "._report._dmarc." in r.name}


def test_another_organization_is_authorized_in_the_report_zone() -> None:
    decl = make(BASE + "  - customer.net: {managed: false}\n  - shop.example.com\n")
    assert auth_records(decl) == {
        "customer.org._report._dmarc.example.com": ("v=DMARC1",),
        "customer.net._report._dmarc.example.com": ("v=DMARC1",),
    }
    zone = records.by_zone(decl, records.expand(decl))["example.com"]
    assert "customer.net._report._dmarc.example.com" in {r.name for r in zone}


def test_the_seed_publishes_nothing_as_both_domains_share_klab_cc() -> None:
    assert auth_records(make(EXAMPLE.read_text())) == {}


def test_organizational_domain_comes_from_the_public_suffix_list() -> None:
    decl = make(
        BASE.replace("dmarc@example.com", "dmarc@example.co.uk").replace("example.com", "mail.example.co.uk")
        + "  - shop.example.co.uk\n  - other.co.uk\n"
    )
    assert {d.name for d in needing_authorization(decl)} == {"customer.org", "other.co.uk"}


def test_unmanaged_report_zone_gets_a_warning_and_no_record(repo: Path) -> None:
    path = repo / "zones" / "kolab.yaml"
    path.write_text(
        path.read_text().replace("admin@kolab.klab.cc", "dmarc@reports.example.net") + "  - customer.org\n"
    )
    assert auth_records(make(path.read_text())) == {}
    result = CliRunner().invoke(cli, ["-C", str(repo), "validate"])
    assert result.exit_code == 0, result.output
    warning = next(line for line in result.stderr.splitlines() if "DMARC reports" in line)
    assert "kolab.klab.cc, kolab-secondary.klab.cc, customer.org go to reports.example.net" in warning
    assert "_report._dmarc.reports.example.net" in warning


def test_wildcard_mode_publishes_one_record_for_every_domain() -> None:
    wildcard = BASE.replace("  ttl: 600\n", "  ttl: 600\n  report_authorization: wildcard\n")
    decl = make(wildcard + "  - customer.net\n")
    assert auth_records(decl) == {"*._report._dmarc.example.com": ("v=DMARC1",)}
    same_org = wildcard.replace("  - customer.org\n", "  - shop.example.com\n")
    assert auth_records(make(same_org)) == {}  # nobody outside the organization: nothing to accept
