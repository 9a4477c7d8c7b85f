"""The real kolab-dns CLI against a real BIND (AXFR in, RFC 2136 UPDATE out, TSIG on both).

named cannot have zones created over DNS, so each test starts one serving the zones it needs.
"""

from __future__ import annotations

import base64

import dns.rcode
import dns.xfr
import pytest

from .conftest import (
    MTA_STS_ID,
    PRIMARY,
    SECONDARY,
    MakeRepo,
    MakeTarget,
    answers,
    assert_golden,
    error_lines,
    golden_primary,
    golden_secondary,
)
from .servers import Bind


def test_sync_serves_the_spec_examples_exactly(bind: MakeTarget, make_repo: MakeRepo) -> None:
    target = bind(["klab.cc", "customer-one.example"])
    repo = make_repo(target)
    repo.write(secondary=[SECONDARY, "customer-one.example"], nameservers=["ns1.kolab.example"])

    result = repo.ok("sync")
    assert result.stdout.startswith("Applied: 2 zones, 2 with changes:")

    assert_golden(
        target.server, golden_primary() | golden_secondary() | golden_secondary("customer-one.example")
    )
    (sts,) = answers(target.server, f"_mta-sts.{PRIMARY}", "TXT")
    assert MTA_STS_ID.fullmatch(sts), sts
    # Both zones existed in named: their NS is the operator's, kolab-dns leaves it alone.
    for zone in ("klab.cc", "customer-one.example"):
        assert answers(target.server, zone, "NS") == {"ns1.test.example."}

    again = repo.run("plan", "--detailed-exitcode")
    assert again.exit_code == 0, again.output
    assert "No changes." in again.stdout


def test_unsigned_update_and_transfer_are_refused(bind: MakeTarget) -> None:
    target = bind(["klab.cc"])
    server = target.server
    assert isinstance(server, Bind)
    unsigned = server.update("klab.cc", lambda u: u.add("kolab", 300, "A", "192.0.2.66"), signed=False)
    assert unsigned.rcode() == dns.rcode.REFUSED
    assert answers(server, PRIMARY, "A") == set()
    with pytest.raises(dns.xfr.TransferError):
        server.axfr("klab.cc", signed=False)


def test_a_wrong_tsig_secret_fails_in_one_line_and_writes_nothing(
    bind: MakeTarget, make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = bind(["klab.cc"])
    repo = make_repo(target)
    wrong = base64.b64encode(b"not the key of this server, 32b").decode()
    monkeypatch.setenv(target.env_var, wrong)
    before = target.dump("klab.cc")

    for command in ("plan", "sync"):
        result = repo.run(command)
        assert result.exit_code == 1, result.output
        (line,) = error_lines(result)
        assert "Zone Transfer" in line and "signature" in line, line
        assert "Traceback" not in result.output
        assert wrong not in result.output
        assert result.stdout == ""
    assert target.dump("klab.cc") == before
    assert answers(target.server, PRIMARY, "MX") == set()
