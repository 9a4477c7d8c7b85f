"""Fixtures for end-to-end tests: the real kolab-dns CLI against real PowerDNS and BIND servers.

Each test gets a throwaway repository (zones/kolab.yaml derived from the shipped declaration,
providers/NAME.yaml pointing at a server on loopback, its secret only in the environment) and a
clean server: one PowerDNS for the whole session, wiped before every test, or a fresh BIND per
test (named cannot create zones, so it starts with the zones the test needs).
"""

from __future__ import annotations

import copy
import hashlib
import re
import subprocess
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dns.message
import dns.name
import dns.rdatatype
import pytest
import yaml
from click.testing import CliRunner, Result

from kolab_dns.cli import cli

from .servers import Bind, PowerDNS

# --- warnings ------------------------------------------------------------------------------------
# pytest runs with -W error. These are the only warnings ignored, each by message and module.

#: octodns-bind 1.1.0 still calls octoDNS 1.22 APIs deprecated for 2.0 (octodns_bind/__init__.py:
#: line 456 `Rr(...)` in AxfrPopulate.zone_records, line 75 `Record.from_rrs` in populate, line 497
#: `record.rrs` in Rfc2136Provider._apply).
OCTODNS_BIND_DEPRECATIONS = (
    "ignore:`Rr` is DEPRECATED:DeprecationWarning:octodns_bind",
    "ignore:`Record.from_rrs` is DEPRECATED:DeprecationWarning:octodns_bind",
    "ignore:`Record.rrs` is DEPRECATED:DeprecationWarning:octodns_bind",
)

#: Only the tests that run octodns-bind get them.
_BIND_TEST_FILES = {"test_bind.py", "test_coexistence.py"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.name not in _BIND_TEST_FILES:
            continue
        for spec in OCTODNS_BIND_DEPRECATIONS:
            item.add_marker(pytest.mark.filterwarnings(spec))


# --- the golden records (Kolab networking page, section DNS, the two examples) ---------------------

SHIPPED_DECLARATION = Path(__file__).resolve().parents[2] / "zones" / "kolab.yaml"
PRIMARY = "kolab.klab.cc"
SECONDARY = "kolab-secondary.klab.cc"
HOST = "kolab.klab.cc."
REPORTS = "admin@kolab.klab.cc"
DKIM_KEY = (
    "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA7JdTEn/T2MhB6KLbATJj"
    "4SGernbem4d7dAW7/kVRbiMB2EtPpQCR98eeXOOHcufXVc3w4BocXEnD47JPpkFY"
    "JBXWF32m4Y2SapBYbsXndN9fyXRrHO9wPJlW5QK5i9D/bRUznfaBJm54y+BuX0Ln"
    "/ippqFe6z3LPjmro9Y9WpRzevYG/TT69Iug5v4U/PA1/rEv+zZGQvNxInZYF7O2M"
    "FDbD2pYi7l4hWADP+iwOEc+Li5vPlEvOaUlSQCb06sc0/QBHDDyU2WaEJiYy/Mk2"
    "xCmSI44f3mQghmiNsu7vlPiztAYKjNyiVk8iWDttL9OV9qQyxHL18Q74UzJR6Ayl"
    "rwIDAQAB"
)
DMARC = f"v=DMARC1; p=quarantine; adkim=s; aspf=s; rua=mailto:{REPORTS}; ruf=mailto:{REPORTS}"
TLSRPT = f"v=TLSRPTv1; rua=mailto:{REPORTS}"
SRV = {
    "_autodiscover._tcp": "0 0 443",
    "_caldav._tcp": "0 0 80",
    "_caldavs._tcp": "0 1 443",
    "_carddav._tcp": "0 0 80",
    "_carddavs._tcp": "0 1 443",
    "_imap._tcp": "0 0 143",
    "_imaps._tcp": "0 1 993",
    "_sieve._tcp": "0 0 4190",
    "_submission._tcp": "0 1 587",
    "_webdav._tcp": "0 0 80",
    "_webdavs._tcp": "0 1 443",
}
#: The `_mta-sts` id is derived from the policy text, not the page's 2024031901 (RFC 8461: 1-32
#: letters and digits).
MTA_STS_ID = re.compile(r"v=STSv1; id=[A-Za-z0-9]{1,32};")

Golden = dict[tuple[str, str], set[str]]


def golden_primary(domain: str = PRIMARY) -> Golden:
    """(owner, type) -> answer of the primary example; TXT as joined strings, others as rdata text."""
    out: Golden = {
        (domain, "A"): {"185.254.79.10"},
        (domain, "MX"): {f"10 {HOST}"},
        (domain, "TXT"): {f"v=spf1 mx a:{HOST[:-1]} mx:{HOST[:-1]} -all"},
        (f"autodiscover.{domain}", "CNAME"): {HOST},
        (f"_smtp._tls.{domain}", "TXT"): {TLSRPT},
        (f"_dmarc.{domain}", "TXT"): {DMARC},
        (f"mta-sts.{domain}", "CNAME"): {HOST},
        (f"dkim1._domainkey.{domain}", "TXT"): {f"v=DKIM1; p={DKIM_KEY}"},
    }
    out.update({(f"{label}.{domain}", "SRV"): {f"{prio} {HOST}"} for label, prio in SRV.items()})
    return out


def golden_secondary(domain: str = SECONDARY) -> Golden:
    """The secondary example, for any secondary domain of the kolab.klab.cc deployment."""
    out: Golden = {
        (domain, "MX"): {f"10 {HOST}"},
        (domain, "TXT"): {f"v=spf1 mx include:{PRIMARY} -all"},
        (f"_dmarc.{domain}", "TXT"): {DMARC},
        (f"dkim1._domainkey.{domain}", "CNAME"): {f"dkim1._domainkey.{PRIMARY}."},
        (f"_smtp._tls.{domain}", "TXT"): {TLSRPT},
    }
    out.update({(f"{label}.{domain}", "SRV"): {f"{prio} {HOST}"} for label, prio in SRV.items()})
    return out


def with_foreign(golden: Golden, name: str, rdtype: str, *values: str) -> Golden:
    """The golden answers plus foreign values that share an RRset with kolab-dns's."""
    out = {k: set(v) for k, v in golden.items()}
    out[(name, rdtype)] |= set(values)
    return out


def kolab_verify(domain: str) -> str:
    return "kolab-verify=" + hashlib.md5(f"hkccp-verify-{domain}".encode()).hexdigest()


# --- DNS answers ---------------------------------------------------------------------------------

Server = PowerDNS | Bind


def _fqdn(name: str) -> str:
    return name if name.endswith(".") else name + "."


def _rrset(server: Server, name: str, rdtype: str) -> Any:
    response: dns.message.Message = server.query(name, rdtype)
    qname, wanted = dns.name.from_text(_fqdn(name)), dns.rdatatype.from_text(rdtype)
    return next((r for r in response.answer if r.name == qname and r.rdtype == wanted), None)


def answers(server: Server, name: str, rdtype: str) -> set[str]:
    """What the server answers over DNS: TXT strings joined and decoded, else rdata text."""
    rrset = _rrset(server, name, rdtype)
    if rrset is None:
        return set()
    if rdtype == "TXT":
        return {b"".join(r.strings).decode() for r in rrset}
    return {r.to_text() for r in rrset}


def raw(server: Server, name: str, rdtype: str) -> tuple[int, frozenset[bytes]] | None:
    """(TTL, rdata wire bytes) of an answer: equal means byte for byte the same RRset."""
    rrset = _rrset(server, name, rdtype)
    if rrset is None:
        return None
    return rrset.ttl, frozenset(r.to_wire() for r in rrset)


def assert_golden(server: Server, golden: Golden) -> None:
    """Every golden (owner, type) answers exactly; a `kolab-verify=` value Kolab itself defines
    may join an apex TXT (then it must be the right digest)."""
    wrong = {}
    for (name, rdtype), expected in golden.items():
        got = answers(server, name, rdtype)
        if rdtype == "TXT":
            extra = {v for v in got if v.startswith("kolab-verify=")}
            if extra and extra != {kolab_verify(name)}:
                wrong[(name, rdtype)] = (expected, got)
            got -= extra
        if got != expected:
            wrong[(name, rdtype)] = (expected, got)
    assert not wrong, f"answers differ from the spec (expected, got): {wrong}"


# --- servers -------------------------------------------------------------------------------------

Seed = tuple[str, int, str, str]  # absolute owner, ttl, type, rdata text


@dataclass
class Target:
    """A DNS server under test as kolab-dns sees it: a provider file plus seeding and dumps."""

    kind: str  # "pdns" or "bind": also the provider name in the repository
    server: Server
    zones: list[str]

    @property
    def env_var(self) -> str:
        return "PDNS_API_KEY" if self.kind == "pdns" else "BIND_TSIG_SECRET"

    @property
    def secret(self) -> str:
        s = self.server
        return s.api_key if isinstance(s, PowerDNS) else s.key_secret

    def provider_file(self) -> dict[str, Any]:
        if isinstance(self.server, PowerDNS):
            conf = {"class": "octodns_powerdns.PowerDnsProvider", **self.server.provider_config()}
            conf["api_key"] = f"env/{self.env_var}"
        else:
            conf = {"class": "octodns_bind.Rfc2136Provider", **self.server.provider_config()}
            conf["key_secret"] = f"env/{self.env_var}"
        return conf

    def seed(self, records: Sequence[Seed]) -> None:
        """Add records as another tool would, straight through the server's own interface."""
        by_zone: dict[str, list[Seed]] = {}
        for rec in records:
            owner = dns.name.from_text(_fqdn(rec[0]))
            zone = max((z for z in self.zones if owner.is_subdomain(dns.name.from_text(_fqdn(z)))), key=len)
            by_zone.setdefault(zone, []).append(rec)
        for zone, recs in by_zone.items():
            if isinstance(self.server, PowerDNS):
                sets: dict[tuple[str, str], tuple[int, list[str]]] = {}
                for name, ttl, rdtype, text in recs:
                    sets.setdefault((name, rdtype), (ttl, []))[1].append(text)
                self.server.patch_rrsets(
                    zone, [PowerDNS.rrset(n, t, v, ttl) for (n, t), (ttl, v) in sets.items()]
                )
            else:
                self.server.add_records(zone, [(_fqdn(n), ttl, t, v) for n, ttl, t, v in recs])

    def dump(self, zone: str) -> set[tuple[str, int, str, str]]:
        """Every record of a zone, SOA included (its serial moves on any write)."""
        if isinstance(self.server, PowerDNS):
            data = self.server.get_zone(zone)
            return {
                (r["name"], r["ttl"], r["type"], rec["content"])
                for r in data["rrsets"]
                for rec in r["records"]
            }
        z = self.server.axfr(zone)
        return {
            (name.to_text(), rds.ttl, dns.rdatatype.to_text(rds.rdtype), rd.to_text())
            for name, rds in z.iterate_rdatasets()
            for rd in rds
        }


@pytest.fixture(scope="session")
def pdns_server() -> Iterator[PowerDNS]:
    with PowerDNS() as server:
        yield server


@pytest.fixture
def pdns(pdns_server: PowerDNS) -> Callable[[Sequence[str]], Target]:
    """A wiped PowerDNS holding just the given zones (NS ns1.test.example.); [] for none."""
    for zone in pdns_server.list_zones():
        pdns_server.delete_zone(zone)

    def make(zones: Sequence[str]) -> Target:
        for zone in zones:
            pdns_server.create_zone(zone)
        return Target("pdns", pdns_server, list(zones))

    return make


@pytest.fixture
def bind() -> Iterator[Callable[[Sequence[str]], Target]]:
    """A fresh named serving the given zones, updatable and transferable only with its TSIG key."""
    started: list[Bind] = []

    def make(zones: Sequence[str]) -> Target:
        server = Bind(list(zones))
        started.append(server)
        return Target("bind", server, list(zones))

    yield make
    for server in started:
        server.stop()


@pytest.fixture(params=["pdns", "bind"])
def target(request: pytest.FixtureRequest) -> Callable[[Sequence[str]], Target]:
    """Either server: for tests that must hold on both."""
    factory: Callable[[Sequence[str]], Target] = request.getfixturevalue(request.param)
    return factory


# --- the repository and the CLI ------------------------------------------------------------------


def shipped_declaration() -> dict[str, Any]:
    with open(SHIPPED_DECLARATION, encoding="utf-8") as fh:
        data: dict[str, Any] = yaml.safe_load(fh)
    return data


@dataclass
class Repo:
    """A kolab-dns repository in tmp_path, run through the real CLI."""

    root: Path
    target: Target
    declaration: dict[str, Any] = field(default_factory=dict)
    runner: CliRunner = field(default_factory=CliRunner)

    def write(
        self,
        zones: dict[str, str] | None = None,
        secondary: Sequence[Any] | None = None,
        nameservers: Sequence[str] | None = None,
    ) -> None:
        """The shipped declaration, with zones/default_provider on the target and these changes."""
        decl = copy.deepcopy(shipped_declaration())
        decl["default_provider"] = self.target.kind
        decl["zones"] = zones if zones is not None else {"klab.cc": self.target.kind}
        if secondary is not None:
            decl["secondary"] = list(secondary)
        if nameservers is not None:
            decl["kolab"]["nameservers"] = list(nameservers)
        self.declaration = decl
        (self.root / "zones" / "kolab.yaml").write_text(yaml.safe_dump(decl, sort_keys=False))

    def run(self, *args: str) -> Result:
        result = self.runner.invoke(cli, ["-C", str(self.root), *args])
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise AssertionError(
                f"kolab-dns {' '.join(args)} crashed:\n{result.output}"
            ) from result.exception
        assert self.target.secret not in result.output, "a provider secret leaked into the output"
        return result

    def ok(self, *args: str) -> Result:
        result = self.run(*args)
        assert result.exit_code == 0, (
            f"kolab-dns {' '.join(args)} exited {result.exit_code}:\n{result.output}"
        )
        return result

    def git(self, *args: str) -> None:
        subprocess.run(["git", "-C", str(self.root), *args], check=True, capture_output=True)

    def commit(self, message: str) -> None:
        if not (self.root / ".git").exists():
            self.git("init", "-q")
            self.git("config", "user.name", "kolab-dns tests")
            self.git("config", "user.email", "tests@kolab-dns.invalid")
            self.git("config", "commit.gpgsign", "false")
        self.git("add", "zones", "providers")
        self.git("commit", "-q", "-m", message)


@pytest.fixture
def make_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[Target], Repo]:
    """A repository aimed at a target, its secret set in the environment only."""

    def make(target: Target) -> Repo:
        root = tmp_path / f"repo-{target.kind}"
        (root / "zones").mkdir(parents=True)
        (root / "providers").mkdir()
        provider = target.provider_file()
        (root / "providers" / f"{target.kind}.yaml").write_text(yaml.safe_dump(provider))
        assert target.secret not in (root / "providers" / f"{target.kind}.yaml").read_text()
        monkeypatch.setenv(target.env_var, target.secret)
        repo = Repo(root, target)
        repo.write()
        return repo

    return make


def error_lines(result: Result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("kolab-dns: error:")]


MakeTarget = Callable[[Sequence[str]], Target]
MakeRepo = Callable[[Target], Repo]
