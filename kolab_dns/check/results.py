"""The check result model: what was checked, how it went, and what to change.

Statuses: `ok` passes; `warn` passes but deserves attention (a fix becomes urgent under a stricter
policy); `missing`, `different` and `fail` are problems the operator must fix (exit 1); `error`
means DNS could not be asked at all, so nothing can be concluded (exit 2).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

EXIT_OK, EXIT_FAIL, EXIT_DNS_ERROR = 0, 1, 2


class Status(StrEnum):
    OK = "ok"
    WARN = "warn"
    MISSING = "missing"
    DIFFERENT = "different"
    FAIL = "fail"
    ERROR = "error"


@dataclass(frozen=True)
class Result:
    domain: str  # the mail domain (or host name) the report groups this under
    check: str  # record, foreign, fcrdns, spf, dkim, dkim-key, dmarc, tls-rpt, mta-sts, kolab-verify
    subject: str  # what exactly was checked: "NAME TYPE", an IP, a URL
    status: Status
    expected: tuple[str, ...] = ()
    found: tuple[str, ...] = ()
    hint: str = ""  # what to change, for anything not ok

    @property
    def ok(self) -> bool:
        return self.status is Status.OK

    def to_json(self) -> dict[str, Any]:
        return {
            "domain": self.domain,
            "check": self.check,
            "subject": self.subject,
            "status": str(self.status),
            "expected": list(self.expected),
            "found": list(self.found),
            "hint": self.hint,
        }


def exit_code(results: Iterable[Result]) -> int:
    """2 when DNS could not be queried (results are incomplete), else 1 if anything failed."""
    statuses = {r.status for r in results}
    if Status.ERROR in statuses:
        return EXIT_DNS_ERROR
    return EXIT_OK if statuses <= {Status.OK, Status.WARN} else EXIT_FAIL


def dns_error(domain: str, check: str, subject: str, error: Exception) -> Result:
    return Result(domain, check, subject, Status.ERROR, (), (str(error),), "DNS could not be queried: retry")
