"""Checks across the whole declaration, once each section has been read: what no single key shows.

`check` raises the first DeclarationError (the declaration cannot be used); `warnings` lists what
works but needs the operator (a PTR to set at the IP's provider, reports receivers would drop);
`spf_summary` says what each SPF record costs receivers.
"""

from __future__ import annotations

from operator import attrgetter

from .errors import DeclarationError
from .model import Declaration
from .records import domain_records, report_auth, spf, tlsa
from .records.host import unmanaged_ptr_ips
from .records.mta_sts import declared_policy

# The longest owner-name prefix the expansion can put before a mail domain: a DKIM selector of 63
# bytes plus "._domainkey.". Shorter domains need no check, so big declarations stay cheap.
_LONGEST_PREFIX = 63 + len("._domainkey.")
_NAME_VALUED = ("CNAME", "PTR", "MX", "SRV")  # record types whose values are names too
_NAME = attrgetter("name")


def check(decl: Declaration) -> None:
    _check_mta_sts(decl)
    _check_spf_budget(decl)
    _check_owner_lengths(decl)


def _check_mta_sts(decl: Declaration) -> None:
    """In mode enforce, a policy that does not cover the MX host makes senders refuse all mail."""
    dep = decl.deployment
    if dep.mta_sts.mode != "enforce" or not dep.mta_sts.mx:
        return
    if not declared_policy(decl).covers(dep.hostname):
        raise DeclarationError(
            f"mode enforce, but MX host {dep.hostname!r} matches no policy mx pattern "
            f"({', '.join(dep.mta_sts.mx)}): senders would refuse to deliver",
            decl.path,
            decl.lines.get("kolab.mta_sts.mx"),
            "kolab.mta_sts.mx",
        )


def _check_spf_budget(decl: Declaration) -> None:
    """Over 10 lookups every receiver answers permerror, so refuse before anything is planned."""
    primary_cost, secondary_cost = spf.costs(decl)
    cost = secondary_cost if decl.secondaries else primary_cost
    if cost.lookups > spf.LOOKUP_LIMIT:
        who = "secondary domains (which include the primary's)" if decl.secondaries else "the primary"
        raise DeclarationError(
            f"the SPF record of {who} needs {cost.lookups} DNS lookups, over the limit of "
            f"{spf.LOOKUP_LIMIT} (RFC 7208 4.6.4): receivers would fail every message; "
            "use ip4:/ip6: terms or fewer include:s",
            decl.path,
            decl.lines.get("kolab.spf"),
            "kolab.spf",
        )


def _check_owner_lengths(decl: Declaration) -> None:
    """A domain of 253 bytes is valid, its `_dmarc.` record is not: name the domain, not octoDNS."""
    if max(map(len, map(_NAME, decl.domains)), default=0) + 1 + _LONGEST_PREFIX <= 253:
        return  # the usual declaration, told in one pass over its names
    for index, domain in enumerate(decl.domains):
        if len(domain.name) + 1 + _LONGEST_PREFIX <= 253:
            continue
        for rs in domain_records(decl, domain):
            targets = [getattr(v, "exchange", None) or getattr(v, "target", v) for v in rs.values]
            for name in [rs.name] + [str(t).rstrip(".") for t in targets if rs.type in _NAME_VALUED]:
                if len(name) > 253 and name.endswith(domain.name):
                    raise DeclarationError(
                        f"{domain.name!r} is too long for its records: {name[: -len(domain.name)]}... "
                        f"would be {len(name)} bytes, over 253",
                        decl.path,
                        domain.line,
                        "primary" if domain.primary else f"secondary[{index - 1}]",
                    )


def warnings(decl: Declaration) -> list[str]:
    """What the declaration leaves for the operator to do elsewhere."""
    out = list(decl.warnings)
    for ip in unmanaged_ptr_ips(decl):
        out.append(
            f"no reverse zone for {ip} is listed under zones:; set its PTR to "
            f"{decl.deployment.hostname} at the provider of that IP"
        )
    if decl.deployment.tlsa:
        out.append(
            f"kolab.tlsa: DANE senders use the TLSA of {tlsa.tlsa_name(decl.deployment.hostname)} only "
            "when its zone is DNSSEC-signed (and its DS published at the parent); unsigned, it is ignored"
        )
    outside = [] if report_auth.report_zone(decl) else report_auth.needing_authorization(decl)
    if outside:
        target = report_auth.report_domain(decl)
        more = f" and {len(outside) - 3} more" if len(outside) > 3 else ""
        shown = ", ".join(d.name for d in outside[:3]) + more
        out.append(
            f"DMARC reports for {shown} go to {target}, another organizational domain whose zone is not "
            f'managed here: publish "{report_auth.name("<domain>", str(target))} TXT '
            f'{report_auth.VALUE}" there, or receivers drop the reports (RFC 7489 7.1)'
        )
    return out


def spf_costs(decl: Declaration) -> dict[str, spf.Cost]:
    """The SPF lookup cost of each mail domain (every secondary shares one record)."""
    primary, secondary = spf.costs(decl)
    return {d.name: primary if d.primary else secondary for d in decl.domains}


def spf_summary(decl: Declaration) -> str:
    primary, secondary = spf.costs(decl)
    line = f"SPF: {decl.primary.name} needs {primary}"
    return line + (f"; each secondary domain needs {secondary}" if decl.secondaries else "")
