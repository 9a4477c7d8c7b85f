"""Logging to stderr with every known secret value masked, whatever logs it.

Secrets are learnt when a provider file is loaded (octo/providers.py): the values of its `env/VAR`
references and of keys named like secrets. From then on every log record, its traceback and
stack, and every error line kolab-dns prints pass through `REDACTOR`.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable

MASK = "********"
MIN_SECRET_LENGTH = 4  # shorter values would mask ordinary words and digits


class Redactor(logging.Filter):
    def __init__(self) -> None:
        super().__init__()
        self.secrets: set[str] = set()
        # octoDNS forces its Checksum logger to INFO; kolab-dns prints the checksum itself.
        self.quiet = {"Checksum"}

    def add(self, values: Iterable[object]) -> None:
        self.secrets.update(str(v) for v in values if v is not None and len(str(v)) >= MIN_SECRET_LENGTH)

    def redact(self, text: str) -> str:
        for secret in sorted(self.secrets, key=len, reverse=True):
            text = text.replace(secret, MASK)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        terse = logging.getLogger().level > logging.INFO
        if record.name in self.quiet and terse:
            return False
        if terse and record.levelno >= logging.ERROR and not record.name.startswith("kolab_dns"):
            # A library's error is on its way up as an exception that kolab-dns reports in one
            # line; -v shows the library's own log of it too.
            return False
        if self.secrets:
            try:
                message = record.getMessage()
            except Exception:  # a library's malformed log call must not crash the run here
                message = f"{record.msg} {record.args}"
            record.msg, record.args = self.redact(message), None
            if record.exc_info and record.exc_info[1] is not None:
                record.exc_text = self.redact(logging.Formatter().formatException(record.exc_info))
            elif record.exc_text:
                record.exc_text = self.redact(record.exc_text)
            if record.stack_info:
                record.stack_info = self.redact(record.stack_info)
        return True


REDACTOR = Redactor()


def setup(verbosity: int) -> None:
    level = {0: logging.WARNING, 1: logging.INFO}.get(verbosity, logging.DEBUG)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    handler.addFilter(REDACTOR)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
