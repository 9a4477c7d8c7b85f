"""MTA-STS (RFC 8461): the policy, its text and id, and the two records that announce it.

The id is a digest of exactly the policy text, so it changes when, and only when, the policy does;
receivers never refetch a policy whose id they have already seen. The same Policy parses what a web
server serves, so `check` compares like with like.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property, lru_cache

from ..model import Declaration, MailDomain, MtaSts
from ..recordset import RecordSet

FAMILY = "mta-sts"
VERSION = "STSv1"
MODES = ("enforce", "testing", "none")
MAX_AGE_LIMIT = 31557600  # seconds (RFC 8461 §3.2: about a year)
ID_LENGTH = 20
PATH = "/.well-known/mta-sts.txt"
POLICY_HOST = "mta-sts."  # + domain: the web server senders fetch the policy from
TXT_NAME = "_mta-sts."  # + domain: where the policy id is announced


class PolicyError(ValueError):
    """A policy that does not parse under RFC 8461 §3.2."""


def mx_matches(pattern: str, host: str) -> bool:
    """RFC 8461 §4.1: a '*.' pattern matches exactly one extra left-most label."""
    if pattern.startswith("*."):
        return "." in host and host.split(".", 1)[1] == pattern[2:]
    return pattern == host


@dataclass(frozen=True)
class Policy:
    version: str
    mode: str
    max_age: int
    mx: tuple[str, ...]

    def text(self) -> str:
        """The policy file, CRLF lines in the order RFC 8461 shows them: its bytes make the id."""
        lines = [f"version: {self.version}", f"mode: {self.mode}", *(f"mx: {m}" for m in self.mx)]
        return "".join(line + "\r\n" for line in [*lines, f"max_age: {self.max_age}"])

    @cached_property
    def id(self) -> str:
        return policy_id(self.text())

    def lines(self) -> tuple[str, ...]:
        """For reports: mx sorted, so two policies that differ only in order read the same."""
        return (
            f"version: {self.version}",
            f"mode: {self.mode}",
            *(f"mx: {m}" for m in sorted(self.mx)),
            f"max_age: {self.max_age}",
        )

    def covers(self, host: str) -> bool:
        return any(mx_matches(p, host) for p in self.mx)

    @classmethod
    def parse(cls, text: str) -> Policy:
        """RFC 8461 §3.2: `key: value` lines (CRLF or LF); the first of a repeated field wins, mx
        repeats, unknown fields are ignored."""
        fields: dict[str, str] = {}
        mx: list[str] = []
        for line in text.replace("\r\n", "\n").split("\n"):
            if not line.strip():
                continue
            key, colon, value = line.partition(":")
            if not colon:
                raise PolicyError(f"line {line!r} is not `key: value`")
            key, value = key.strip(), value.strip()
            if key == "mx":
                mx.append(value.lower().rstrip("."))
            else:
                fields.setdefault(key, value)
        if fields.get("version") != VERSION:
            raise PolicyError(f"version must be {VERSION}, not {fields.get('version')!r}")
        mode = fields.get("mode")
        if mode not in MODES:
            raise PolicyError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
        age = fields.get("max_age", "")
        if not age.isdigit() or len(age) > 10 or int(age) > MAX_AGE_LIMIT:
            raise PolicyError(f"max_age must be 0..{MAX_AGE_LIMIT} seconds, not {age!r}")
        if not mx and mode != "none":
            raise PolicyError("no mx: line")
        return cls(VERSION, mode, int(age), tuple(mx))


def policy_id(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:ID_LENGTH]


def declared_policy(decl: Declaration) -> Policy:
    return _policy(decl.deployment.mta_sts, decl.deployment.hostname)


@lru_cache(maxsize=8)  # one policy per deployment, asked for by every domain that publishes it
def _policy(p: MtaSts, hostname: str) -> Policy:
    return Policy(VERSION, p.mode, p.max_age, p.mx or (hostname,))


def policy_text(decl: Declaration) -> str:
    return declared_policy(decl).text()


def txt_value(policy_id: str) -> str:
    return f"v={VERSION}; id={policy_id};"


def mta_sts_records(decl: Declaration, domain: MailDomain) -> list[RecordSet]:
    if not domain.mta_sts:
        return []
    dep, d = decl.deployment, domain.name
    return [
        RecordSet(POLICY_HOST + d, "CNAME", dep.ttl, (dep.hostname + ".",), d, FAMILY),
        RecordSet(TXT_NAME + d, "TXT", dep.ttl, (txt_value(declared_policy(decl).id),), d, FAMILY),
    ]
