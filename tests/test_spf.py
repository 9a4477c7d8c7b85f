"""SPF terms and their lookup cost, counted offline before any plan."""

from __future__ import annotations

import pytest

from kolab_dns.errors import DeclarationError
from kolab_dns.model import Declaration, MailDomain
from kolab_dns.records import spf
from kolab_dns.validate import spf_costs

from .test_records import BASE, find, make


def spf_cost(decl: Declaration, domain: MailDomain) -> spf.Cost:
    return spf_costs(decl)[domain.name]


WITH_EXTRA = BASE.replace("  ttl: 600\n", "  ttl: 600\n  spf: {extra}\n")


def test_cost_follows_includes_of_declared_domains() -> None:
    decl = make()
    assert spf_cost(decl, decl.primary) == spf.Cost(3)
    assert spf_cost(decl, decl.secondaries[0]) == spf.Cost(5)


def test_external_includes_cost_one_here_and_are_named() -> None:
    decl = make(WITH_EXTRA, **{"{extra}": "[include:_spf.newsletter.example, ip4:198.51.100.0/24]"})
    assert find(decl, "example.com", "TXT").values == (
        "v=spf1 mx a:mail.example.com mx:mail.example.com include:_spf.newsletter.example "
        "ip4:198.51.100.0/24 -all",
    )
    cost = spf_cost(decl, decl.secondaries[0])
    assert cost == spf.Cost(6, ("_spf.newsletter.example",))
    assert str(cost) == "6 of 10 DNS lookups + those of _spf.newsletter.example"


def test_redirect_and_exists_count_and_ip_terms_do_not() -> None:
    texts = {"b.example": "v=spf1 a mx -all"}
    cost = spf.lookup_cost("v=spf1 ip4:192.0.2.1 exists:%{i}.x.example redirect=b.example", texts.get)
    assert cost == spf.Cost(4)


def test_over_ten_lookups_is_an_error_on_the_spf_line() -> None:
    extra = "[include:a.example, include:b.example, include:c.example, a:d.example, mx:e.example, a]"
    text = WITH_EXTRA
    with pytest.raises(DeclarationError) as err:
        make(text, **{"{extra}": extra})
    e = err.value
    assert e.key == "kolab.spf"
    assert e.line == text.splitlines().index("  spf: {extra}") + 1
    assert "needs 11 DNS lookups" in str(e) and "secondary" in str(e)
    make(text, **{"{extra}": extra.replace(", a]", "]")})  # ten is allowed


@pytest.mark.parametrize(
    "term, message",
    [
        ("ptr", "ptr is deprecated"),
        ("+all", "ends the record with -all"),
        ("include:", "needs a domain"),
        ("ip4:300.1.1.1", "not an IPv4 address"),
        ("ip4:2001:db8::1", "not an ip4 network"),
        ("ip6:192.0.2.1", "not an ip6 network"),
        ("a:bad name.example", "not a valid domain name"),
        ("a:-x.example", "not a valid domain name"),
        ("include:localhost", "not a valid domain name"),
        ("include _spf.x.example", "not an SPF mechanism"),
    ],
)
def test_bad_terms_are_refused(term: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        spf.check_mechanism(term)


def test_good_terms_pass_unchanged() -> None:
    for term in (
        "ip4:192.0.2.0/24",
        "ip6:2001:db8::/32",
        "~include:_spf.x.example",
        "a/24",
        "mx:m.example",
        "exists:%{i}._spf.x.example",
        "a:x.example//64",
    ):
        assert spf.check_mechanism(term) == term
