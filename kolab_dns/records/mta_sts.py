"""MTA-STS (RFC 8461): the policy text, its id, and the two records that announce it.

The id is a digest of exactly the policy text, so it changes when, and only when, the policy does;
receivers never refetch a policy whose id they have already seen.
"""

from __future__ import annotations

import hashlib

from ..declaration import Declaration, MailDomain
from ..recordset import RecordSet

ID_LENGTH = 20


def policy_mx(decl: Declaration) -> tuple[str, ...]:
    return decl.deployment.mta_sts.mx or (decl.deployment.hostname,)


def policy_text(decl: Declaration) -> str:
    p = decl.deployment.mta_sts
    lines = [
        "version: STSv1",
        f"mode: {p.mode}",
        *(f"mx: {mx}" for mx in policy_mx(decl)),
        f"max_age: {p.max_age}",
    ]
    return "".join(line + "\r\n" for line in lines)


def policy_id(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:ID_LENGTH]


def mta_sts_records(decl: Declaration, domain: MailDomain) -> list[RecordSet]:
    if not domain.mta_sts:
        return []
    dep, d = decl.deployment, domain.name
    return [
        RecordSet(f"mta-sts.{d}", "CNAME", dep.ttl, (dep.hostname + ".",), d),
        RecordSet(f"_mta-sts.{d}", "TXT", dep.ttl, (f"v=STSv1; id={policy_id(policy_text(decl))};",), d),
    ]
