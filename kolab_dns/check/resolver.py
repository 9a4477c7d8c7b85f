"""DNS lookups for the checks: one named server (`--nameserver HOST[:PORT]`) or the system resolver.

An authoritative server asked directly does not chase a CNAME into another zone, so lookups follow
CNAME chains themselves, as a recursive resolver would. Answers are cached for the run: many
domains share the primary's SPF, the host's addresses and the DKIM keys. Anything that means DNS
could not be asked (timeout, REFUSED, SERVFAIL) raises DnsError: the check becomes `error`.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import dns.exception
import dns.name
import dns.rdatatype
import dns.resolver

from ..errors import KolabDnsError

MAX_CNAME_HOPS = 8
DEFAULT_PORT = 53


class DnsError(Exception):
    """DNS could not be queried for this name: the answer is unknown, not empty."""


@dataclass(frozen=True)
class Answer:
    name: str  # the name asked, no trailing dot
    rdtype: str
    rdatas: tuple[Any, ...]  # dnspython rdata of the final answer (after any CNAME chain)
    chain: tuple[str, ...] = ()  # CNAME targets followed, FQDNs with trailing dot
    nxdomain: bool = False

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(sorted({text(self.rdtype, r) for r in self.rdatas}))


def text(rdtype: str, rdata: Any) -> str:
    """An rdata in the form RecordSet values take: TXT joined and decoded, names lower-case FQDNs."""
    if rdtype == "TXT":
        return b"".join(rdata.strings).decode("utf-8", "replace")
    if rdtype in ("A", "AAAA"):
        return str(ipaddress.ip_address(rdata.address))
    if rdtype == "MX":
        return f"{rdata.preference} {rdata.exchange.to_text().lower()}"
    if rdtype == "SRV":
        return f"{rdata.priority} {rdata.weight} {rdata.port} {rdata.target.to_text().lower()}"
    if rdtype in ("CNAME", "PTR", "NS"):
        return rdata.target.to_text().lower()
    if rdtype == "TLSA":  # dnspython splits long hex into chunks; RecordSet values do not
        return f"{rdata.usage} {rdata.selector} {rdata.mtype} {rdata.cert.hex()}"
    return str(rdata.to_text())


def parse_nameserver(value: str) -> tuple[str, int]:
    """HOST, HOST:PORT, [IPv6]:PORT or a bare IPv6 address; a host name is resolved here."""
    host, port = value, DEFAULT_PORT
    if value.startswith("["):
        host, _, rest = value[1:].partition("]")
        if rest.startswith(":"):
            port = _port(value, rest[1:])
    elif value.count(":") == 1:
        host, _, raw = value.partition(":")
        port = _port(value, raw)
    try:
        ip = str(ipaddress.ip_address(host))
    except ValueError:
        try:
            ip = socket.getaddrinfo(host, port, proto=socket.IPPROTO_UDP)[0][4][0]
        except (OSError, UnicodeError) as e:
            raise KolabDnsError(f"--nameserver {value}: cannot resolve {host!r}: {e}") from None
    return ip, port


def _port(value: str, raw: str) -> int:
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 5) or not 0 < int(raw) < 65536:
        raise KolabDnsError(f"--nameserver {value}: {raw!r} is not a port")
    return int(raw)


class Resolver:
    """Thread-safe lookups (dnspython's resolver and cache are) with CNAME chasing.

    Several `--nameserver`s are asked in order: a server that refuses a name (it is not
    authoritative for it, e.g. the IP provider's reverse zone or a customer's own zone) passes the
    name to the next one, so a new authoritative server can be checked before delegation.
    """

    def __init__(self, nameservers: Sequence[str] = (), timeout: float = 2.0, lifetime: float = 5.0) -> None:
        self._servers: list[tuple[str, dns.resolver.Resolver]] = []
        for nameserver in nameservers:
            ip, port = parse_nameserver(nameserver)
            res = dns.resolver.Resolver(configure=False)
            res.nameservers = [ip]
            res.port = port
            self._servers.append((nameserver, res))
        if not nameservers:
            try:
                self._servers.append(("the system resolver", dns.resolver.Resolver()))
            except dns.resolver.NoResolverConfiguration as e:
                raise KolabDnsError(f"no system resolver configured ({e}); pass --nameserver") from None
        for _, res in self._servers:
            res.timeout, res.lifetime = timeout, lifetime
            res.cache = dns.resolver.Cache()
        self.where = ", then ".join(where for where, _ in self._servers)

    def _resolve(self, name: str, rdtype: str) -> dns.resolver.Answer | None:
        """One query, passed down the servers while they refuse it; None for NXDOMAIN."""
        for index, (where, res) in enumerate(self._servers):
            try:
                return res.resolve(dns.name.from_text(name), rdtype, raise_on_no_answer=False, search=False)
            except dns.resolver.NXDOMAIN:
                return None
            except dns.resolver.NoNameservers as e:
                if _refused(e) and index + 1 < len(self._servers):
                    continue
                raise DnsError(f"{name} {rdtype}: {where} gave no usable answer ({_rcodes(e)})") from None
            except dns.exception.Timeout:
                raise DnsError(f"{name} {rdtype}: no answer from {where} (timeout)") from None
            except (dns.exception.DNSException, OSError) as e:
                raise DnsError(f"{name} {rdtype}: {e.__class__.__name__}: {e}") from None
        raise AssertionError("unreachable: the last server raises or answers")

    def lookup(self, name: str, rdtype: str) -> Answer:
        """The RRset of (name, rdtype), following CNAMEs (not when asking for a CNAME itself)."""
        name = name.rstrip(".").lower()
        current, chain = name + ".", []
        for _ in range(MAX_CNAME_HOPS):
            answer = self._resolve(current, rdtype)
            if answer is None:
                return Answer(name, rdtype, (), tuple(chain), nxdomain=True)
            for cname in answer.chaining_result.cnames:
                chain.extend(r.target.to_text().lower() for r in cname)
            if answer.rrset is not None or rdtype == "CNAME":
                return Answer(name, rdtype, tuple(answer.rrset or ()), tuple(chain))
            canonical = answer.canonical_name.to_text().lower()
            if canonical == current:
                return Answer(name, rdtype, (), tuple(chain))
            current = canonical  # an authoritative server stopped at a CNAME into another zone
        raise DnsError(f"{name} {rdtype}: CNAME chain longer than {MAX_CNAME_HOPS}")

    def values(self, name: str, rdtype: str) -> tuple[str, ...]:
        return self.lookup(name, rdtype).values

    def address(self, host: str) -> str | None:
        """Where a client connects to host: its first address, IPv4 before IPv6; None without one."""
        for rdtype in ("A", "AAAA"):
            found = self.values(host, rdtype)
            if found:
                return found[0]
        return None

    def probe(self, name: str) -> None:
        """Fail fast when a server does not answer at all, rather than once per query."""
        for where, res in self._servers:
            try:
                res.resolve(dns.name.from_text(name), "SOA", raise_on_no_answer=False, search=False)
            except (dns.resolver.NXDOMAIN, dns.resolver.NoNameservers):
                continue  # it answers; per-name problems show up per check
            except dns.exception.Timeout:
                raise DnsError(f"no answer from {where} (timeout)") from None
            except (dns.exception.DNSException, OSError) as e:
                raise DnsError(f"{where}: {e.__class__.__name__}: {e}") from None


def _refused(e: dns.resolver.NoNameservers) -> bool:
    errors = e.kwargs.get("errors") or []
    return bool(errors) and all(len(err) > 3 and err[3] == "REFUSED" for err in errors)


def _rcodes(e: dns.resolver.NoNameservers) -> str:
    errors = e.kwargs.get("errors") or []
    out = []
    for err in errors:
        detail = err[3] if len(err) > 3 else err
        out.append(str(detail))
    return "; ".join(dict.fromkeys(out)) or "no nameserver answered"
